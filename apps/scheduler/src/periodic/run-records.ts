import type { PrismaClient } from '@dgc/shared/db';

export interface RunStart {
  jobName: string;
  /** BullMQ's job id: one per slot, kept by its retries. */
  jobId: string;
  runnerId: string;
  attempt: number;
}

/** The attempt may run: its row is `runId`; `abandoned` earlier attempts were found without an outcome. */
export type RunAdmission = { runId: bigint; abandoned: number } | { alreadySucceeded: true };

/**
 * Records the start of an attempt, in one transaction with what the slot's history says about it.
 *
 * BullMQ hands a slot's job to one replica at a time, and to another only once the first replica's lock
 * lapsed (it was killed, or stalled past the lock). So when an attempt starts, an earlier attempt of the same
 * slot still `running` has been given up: it is marked `abandoned`, so the history shows the interrupted
 * run instead of a run that seems to go on for ever. A slot whose earlier attempt already succeeded (its
 * replica died after recording the outcome, before BullMQ heard of it) is not run again.
 */
export async function admitRun(prisma: PrismaClient, start: RunStart): Promise<RunAdmission> {
  return prisma.$transaction(async (transaction) => {
    // Serialises the starts of one slot, so two of them cannot both find it not yet succeeded.
    await transaction.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${start.jobId}))`;
    const succeeded = await transaction.scheduledJobRun.count({
      where: { jobId: start.jobId, outcome: 'succeeded' },
    });
    if (succeeded > 0) return { alreadySucceeded: true } as const;
    const { count: abandoned } = await transaction.scheduledJobRun.updateMany({
      where: { jobId: start.jobId, outcome: 'running' },
      data: {
        outcome: 'abandoned',
        error: `stopped without an outcome (its replica exited or lost the lock); attempt ${start.attempt} on ${start.runnerId} took the slot over`,
      },
    });
    const run = await transaction.scheduledJobRun.create({
      data: { ...start, outcome: 'running' },
      select: { id: true },
    });
    return { runId: run.id, abandoned };
  });
}
