import type { PrismaClient } from '@dgc/shared/db';

export interface PruneResult {
  deleted: number;
  batches: number;
}

/**
 * Deletes handled-event keys older than the retention, a batch at a time: one huge DELETE would hold row
 * locks and bloat WAL while workers insert keys into the same table. Stops between batches when aborted.
 */
export async function pruneHandledEvents(
  prisma: PrismaClient,
  options: { retentionMs: number; batchSize: number; signal: AbortSignal },
): Promise<PruneResult> {
  const cutoff = new Date(Date.now() - options.retentionMs);
  let deleted = 0;
  let batches = 0;
  while (!options.signal.aborted) {
    const count = await prisma.$executeRaw`
      DELETE FROM handled_event WHERE key IN (
        SELECT key FROM handled_event WHERE handled_at < ${cutoff} LIMIT ${options.batchSize}
      )`;
    deleted += count;
    batches += 1;
    if (count < options.batchSize) break;
  }
  return { deleted, batches };
}
