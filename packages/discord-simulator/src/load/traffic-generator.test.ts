import { describe, expect, it } from 'vitest';
import { eventsForTick } from './traffic-generator.js';

describe('eventsForTick', () => {
  it('sends what the rate owes since the start', () => {
    expect(eventsForTick(5_000, 5, 0)).toBe(25);
    expect(eventsForTick(5_000, 1_000, 4_990)).toBe(10);
    expect(eventsForTick(5_000, 1_000, 5_000)).toBe(0);
  });

  it('pays what a stall left owing over the next ticks, two ticks’ worth at most each', () => {
    // The generator stalled for 100 ms: 500 events are owed.
    let sent = 0;
    const batches: number[] = [];
    for (let elapsedMs = 100; elapsedMs <= 300; elapsedMs += 5) {
      const batch = eventsForTick(5_000, elapsedMs, sent);
      batches.push(batch);
      sent += batch;
    }
    expect(Math.max(...batches)).toBe(50);
    // The debt is paid 25 extra events per tick: nineteen ticks, then the steady 25.
    expect(batches.slice(0, 19).every((batch) => batch === 50)).toBe(true);
    expect(batches.slice(19).every((batch) => batch === 25)).toBe(true);
    expect(sent).toBe(1_500);
  });

  it('never sends a negative count, and at least one event per tick once one is owed at a low rate', () => {
    expect(eventsForTick(10, 5, 3)).toBe(0);
    expect(eventsForTick(10, 1_000, 0)).toBe(1);
  });
});
