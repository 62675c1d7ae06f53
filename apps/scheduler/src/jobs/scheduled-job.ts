import type { Logger, PrismaClient } from '@dgc/shared';

export interface ScheduledJobContext {
  prisma: PrismaClient;
  logger: Logger;
  signal: AbortSignal;
}

/** A periodic job: its stable name (the BullMQ job scheduler id), its period and its work. */
export interface ScheduledJob {
  name: string;
  everyMs: number;
  /** Returns a JSON-serialisable summary kept in the run history. */
  run(context: ScheduledJobContext): Promise<Record<string, unknown>>;
}
