import { styleText } from 'node:util';

export type Colour = Parameters<typeof styleText>[0];

/** `text` in `format` on a terminal; plain when the output is piped (to a file, to jq). */
export function colour(format: Colour, text: string): string {
  return process.stdout.isTTY ? styleText(format, text) : text;
}

/** A duration as an operator reads it: 850 ms, 4.2 s, 12 min, 3.5 h. */
export function age(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
