import type { Logger } from '@dgc/shared';
import { createPrismaClient, type JobHistory, readJobHistory } from '@dgc/shared/db';
import type { RequestHandler } from 'express';

/** How long one read of the run history serves every request: PostgreSQL sees one read per interval. */
const freshForMs = 5_000;

/**
 * `/api/jobs`: the jobs' run history (periodic runs with status, duration and error; delayed jobs by
 * status and their failures), the CLI's `jobs` view. Read on demand, shared for a few seconds; while
 * PostgreSQL is unreachable it answers 503 with the cause and the rest of the dashboard carries on.
 */
export function jobHistoryRoute(
  databaseUrl: string,
  logger: Logger,
): { handler: RequestHandler; close(): Promise<void> } {
  const prisma = createPrismaClient({ databaseUrl, maxConnections: 1 });
  let cached: { at: number; read: Promise<JobHistory> } | undefined;
  const history = (): Promise<JobHistory> => {
    if (!cached || Date.now() - cached.at > freshForMs) {
      const read = readJobHistory(prisma);
      cached = { at: Date.now(), read };
      // A failed read is not kept: the next request tries again.
      read.catch(() => {
        if (cached?.read === read) cached = undefined;
      });
    }
    return cached.read;
  };
  return {
    handler: (_request, response) => {
      history().then(
        (jobs) => response.set('cache-control', 'no-store').json(jobs),
        (error: unknown) => {
          logger.warn({ err: error }, 'reading the job history failed');
          response.status(503).json({ error: 'the job history is unavailable: PostgreSQL did not answer' });
        },
      );
    },
    close: () => prisma.$disconnect(),
  };
}
