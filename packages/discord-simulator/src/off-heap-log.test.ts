import { describe, expect, it } from 'vitest';
import { OffHeapLog } from './off-heap-log.js';

const frameOf = (sequence: number, text = 'x') => `{"op":0,"s":${sequence},"d":"${text}"}`;

function fill(buffer: OffHeapLog, from: number, to: number, text?: (sequence: number) => string) {
  for (let sequence = from; sequence <= to; sequence += 1)
    buffer.append(sequence, frameOf(sequence, text?.(sequence)));
}

describe('OffHeapLog', () => {
  it('returns the frames after a sequence, oldest first, as they were sent', () => {
    const buffer = new OffHeapLog(100);
    fill(buffer, 1, 10, (sequence) => `é😀 ${sequence}`);
    expect(buffer.after(7)).toEqual([frameOf(8, 'é😀 8'), frameOf(9, 'é😀 9'), frameOf(10, 'é😀 10')]);
    expect(buffer.after(10)).toEqual([]);
    expect(buffer.after(0)).toHaveLength(10);
    expect(buffer.firstSequence).toBe(1);
    expect(buffer.at(4)).toBe(frameOf(4, 'é😀 4'));
    expect(buffer.at(11)).toBeUndefined();
  });

  it('refuses an entry that does not follow the last one', () => {
    const buffer = new OffHeapLog(10);
    fill(buffer, 5, 6);
    expect(() => buffer.append(8, frameOf(8))).toThrow(RangeError);
    expect(buffer.after(4)).toEqual([frameOf(5), frameOf(6)]);
  });

  it('keeps at least the last `limit` frames across chunks and drops older chunks', () => {
    const limit = 5_000;
    const buffer = new OffHeapLog(limit);
    const text = 'y'.repeat(1_000); // ~1 KB frames: 1 MiB chunks hold about a thousand
    const last = 20_000;
    fill(buffer, 1, last, () => text);
    const first = buffer.firstSequence ?? Number.NaN;
    expect(last - first + 1).toBeGreaterThanOrEqual(limit);
    expect(last - first + 1).toBeLessThan(limit + 2_000);
    const replay = buffer.after(last - limit);
    expect(replay).toHaveLength(limit);
    expect(replay[0]).toBe(frameOf(last - limit + 1, text));
    expect(replay.at(-1)).toBe(frameOf(last, text));
    expect(buffer.at(first - 1)).toBeUndefined();
    expect(buffer.at(first)).toBe(frameOf(first, text));
  });

  it('keeps a frame larger than a chunk whole', () => {
    const buffer = new OffHeapLog(10);
    const huge = 'z'.repeat(3 * 1024 * 1024);
    buffer.append(1, frameOf(1));
    buffer.append(2, frameOf(2, huge));
    buffer.append(3, frameOf(3));
    expect(buffer.after(0)).toEqual([frameOf(1), frameOf(2, huge), frameOf(3)]);
  });

  it('keeps nothing once cleared, or with a limit of 0', () => {
    const buffer = new OffHeapLog(10);
    fill(buffer, 1, 3);
    buffer.clear();
    expect(buffer.firstSequence).toBeUndefined();
    expect(buffer.after(0)).toEqual([]);
    const none = new OffHeapLog(0);
    fill(none, 1, 3);
    expect(none.firstSequence).toBeUndefined();
  });
});
