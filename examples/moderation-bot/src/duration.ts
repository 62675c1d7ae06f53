/** A duration the user typed was not understood; the message says what is accepted. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const unitMs: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `"90s"`, `"10m"`, `"1h30m"`, `"7d"` → milliseconds, between `minMs` and `maxMs`. */
export function parseDuration(text: string, bounds: { minMs?: number; maxMs: number }): number {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!/^(\d+[smhdw])+$/.test(compact)) {
    throw new DurationError(`"${text}" is not a duration: use e.g. 90s, 10m, 1h30m, 7d`);
  }
  let total = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(amount) * (unitMs[unit as string] ?? 0);
  }
  const minMs = bounds.minMs ?? 1_000;
  if (total < minMs || total > bounds.maxMs) {
    throw new DurationError(
      `the duration must be between ${formatDuration(minMs)} and ${formatDuration(bounds.maxMs)}`,
    );
  }
  return total;
}

/** 5_400_000 → "1h 30m". */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.join(' ') || '0s';
}
