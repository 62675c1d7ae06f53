import { describe, expect, it } from 'vitest';
import { EventSlots } from './event-slots.js';

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('EventSlots', () => {
  it('never runs more than its limit at once, and runs waiters in arrival order', async () => {
    const slots = new EventSlots(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const runs = gates.map((gate, index) =>
      slots.run(async () => {
        started.push(index);
        running += 1;
        most = Math.max(most, running);
        await gate.promise;
        running -= 1;
        return index;
      }),
    );
    expect(started).toEqual([0, 1]);
    expect(slots.pending).toBe(3);
    for (const gate of gates) gate.resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(slots.active).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const slots = new EventSlots(1);
    await expect(
      slots.run(async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
    expect(slots.active).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new EventSlots(0)).toThrow(RangeError);
  });
});
