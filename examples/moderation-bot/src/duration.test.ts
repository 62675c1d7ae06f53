import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('reads compound durations and writes them back', () => {
    expect(parseDuration('1h30m', { maxMs: 86_400_000 })).toBe(5_400_000);
    expect(parseDuration(' 2d 4h ', { maxMs: 7 * 86_400_000 })).toBe(2 * 86_400_000 + 4 * 3_600_000);
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(90_000)).toBe('1m 30s');
  });

  it('refuses what is not a duration or out of bounds, saying what is accepted', () => {
    expect(() => parseDuration('soon', { maxMs: 1_000_000 })).toThrow(DurationError);
    expect(() => parseDuration('10', { maxMs: 1_000_000 })).toThrow(/e\.g\. 90s/);
    expect(() => parseDuration('29d', { maxMs: 28 * 86_400_000 })).toThrow(/between 1s and 28d/);
  });
});
