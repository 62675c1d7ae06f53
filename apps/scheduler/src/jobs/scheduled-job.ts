import type { Logger } from '@dgc/shared';
import type { PrismaClient } from '@dgc/shared/db';

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
