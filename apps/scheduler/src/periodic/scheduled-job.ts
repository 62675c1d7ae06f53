import type { Logger } from '@dgc/shared';
import type { PrismaClient } from '@dgc/shared/db';

export interface ScheduledJobContext {
  prisma: PrismaClient;
  logger: Logger;
  signal: AbortSignal;
  /** 1 for the slot's first attempt, then one more per retry. */
  attempt: number;
  /** The time this run was scheduled for. */
  slot: Date;
}

/** Every `everyMs`, or at the times of a cron `pattern`. */
export type JobTiming = { everyMs: number } | { pattern: string };

/**
 * A periodic job: its stable name (the BullMQ job scheduler id and `job_name` in the run history), when it
 * runs, how each attempt is bounded and retried, and its work — the scheduler's own or a bot's `bot.every`.
 */
export interface ScheduledJob {
  name: string;
  timing: JobTiming;
  timeoutMs: number;
  /** Attempts per slot, the first included. */
  attempts: number;
  /** Delay before the first retry, doubled for each later one. */
  backoffMs: number;
  /** Returns a JSON-serialisable summary kept in the run history (or nothing). */
  run(context: ScheduledJobContext): Promise<Record<string, unknown> | undefined>;
}
