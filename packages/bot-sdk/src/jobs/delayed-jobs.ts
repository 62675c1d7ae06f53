import type { JsonValue } from './json-value.js';

export interface ScheduleOptions {
  /** Attempts before the job is recorded failed (retried with exponential back-off); default 5. */
  maxAttempts?: number;
}

/**
 * Durable one-shot jobs, kept in PostgreSQL (they survive a Redis loss and every restart). Available to
 * every handler and job as `context.jobs`; the job's handler is declared with `bot.job(name, handler)`.
 */
export interface DelayedJobs {
  /**
   * Runs the handler declared as `name` at `when` (a Date or epoch milliseconds; a past time means now)
   * with `payload`. Returns the job's id, for `cancel`. Throws a TypeError for a name the bot never declared.
   */
  at(when: Date | number, name: string, payload?: JsonValue, options?: ScheduleOptions): Promise<string>;
  /** Cancels a job that has not started; false when it already ran, is running or does not exist. */
  cancel(id: string): Promise<boolean>;
}
