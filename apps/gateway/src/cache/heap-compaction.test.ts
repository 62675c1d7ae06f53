import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { HeapCompaction } from './heap-compaction.js';

const logger = pino({ level: 'silent' });

describe('HeapCompaction', () => {
  it('collects once a burst of cache writes is written, never while writes wait, at most once per cooldown', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const collect = vi.fn();
      const compaction = new HeapCompaction({ afterEntries: 1_000, cooldownMs: 60_000, logger, collect });
      compaction.check(999, true);
      expect(collect).not.toHaveBeenCalled();
      compaction.check(5_000, false); // a burst, still being written
      expect(collect).not.toHaveBeenCalled();
      compaction.check(5_000, true);
      expect(collect).toHaveBeenCalledTimes(1);
      compaction.check(9_000, true); // another burst within the cooldown
      expect(collect).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(60_000);
      compaction.check(9_500, true); // past the cooldown: 4,500 entries since the last collection
      expect(collect).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(60_000);
      compaction.check(10_000, true); // past the cooldown, but only 500 entries since
      expect(collect).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never collects when turned off', () => {
    const collect = vi.fn();
    new HeapCompaction({ afterEntries: 0, cooldownMs: 0, logger, collect }).check(1_000_000, true);
    expect(collect).not.toHaveBeenCalled();
  });

  it('finds V8’s full collection without --expose-gc', () => {
    const compaction = new HeapCompaction({ afterEntries: 1, cooldownMs: 0, logger });
    // Runs the real collection: it must neither throw nor be missing.
    expect(() => compaction.check(1, true)).not.toThrow();
  });
});
