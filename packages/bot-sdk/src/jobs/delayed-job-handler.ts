import type { DelayedJobContext } from './job-context.js';
import type { JsonValue } from './json-value.js';
import { checkJobName } from './periodic-job.js';

export interface DelayedJobOptions {
  /** The run is aborted (its signal fires) and counted failed after this long; default 60 s. */
  timeoutMs?: number;
}

export type DelayedJobHandler<Payload extends JsonValue = JsonValue> = (
  payload: Payload,
  context: DelayedJobContext,
) => Promise<void>;

/** A `bot.job` declaration: what runs when a job `jobs.at(when, name, payload)` scheduled is due. */
export interface DelayedJobDefinition {
  readonly name: string;
  readonly handler: DelayedJobHandler;
  readonly timeoutMs: number;
}

export function delayedJobDefinition<Payload extends JsonValue>(
  name: string,
  handler: DelayedJobHandler<Payload>,
  options: DelayedJobOptions = {},
): DelayedJobDefinition {
  checkJobName(name);
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError(`bot.job("${name}"): timeoutMs must be ≥ 1`);
  }
  return { name, handler: handler as DelayedJobHandler, timeoutMs };
}
