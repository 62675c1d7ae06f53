import type { PeriodicJobContext } from './job-context.js';

/** Milliseconds between runs, or a cron pattern (`'0 3 * * *'`, or six fields with seconds first). */
export type JobSchedule = number | string;

export interface PeriodicJobOptions {
  /** The run is aborted (its signal fires) and counted failed after this long; default 60 s. */
  timeoutMs?: number;
  /** Attempts per slot, the first included; default 3. */
  attempts?: number;
  /** Delay before the first retry, doubled for each later one; default 1 s. */
  backoffMs?: number;
}

export type PeriodicJobHandler = (context: PeriodicJobContext) => Promise<void>;

/** A `bot.every` declaration with its defaults filled in. */
export interface PeriodicJob {
  readonly name: string;
  readonly schedule: JobSchedule;
  readonly handler: PeriodicJobHandler;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly backoffMs: number;
}

const jobName = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;

export function checkJobName(name: string): void {
  if (!jobName.test(name)) {
    throw new TypeError(`job name "${name}" must be 1-64 letters, digits, "_", "." or "-"`);
  }
}

export function periodicJob(
  name: string,
  schedule: JobSchedule,
  handler: PeriodicJobHandler,
  options: PeriodicJobOptions = {},
): PeriodicJob {
  checkJobName(name);
  if (typeof schedule === 'number' && !(Number.isInteger(schedule) && schedule >= 100)) {
    throw new TypeError(`bot.every("${name}"): an interval is a whole number of ms, at least 100`);
  }
  if (typeof schedule === 'string' && schedule.trim().split(/\s+/).length < 5) {
    throw new TypeError(`bot.every("${name}"): "${schedule}" is not a cron pattern (5 or 6 fields)`);
  }
  const positive = (value: number | undefined, fallback: number, what: string) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`bot.every("${name}"): ${what} must be ≥ 1`);
    return value;
  };
  return {
    name,
    schedule,
    handler,
    timeoutMs: positive(options.timeoutMs, 60_000, 'timeoutMs'),
    attempts: positive(options.attempts, 3, 'attempts'),
    backoffMs: positive(options.backoffMs, 1_000, 'backoffMs'),
  };
}
