import type { PrismaClient } from '../generated/prisma/client.js';

export interface PeriodicJobRunView {
  jobId: string;
  attempt: number;
  outcome: string;
  startedAt: Date;
  durationMs: number | null;
  runnerId: string;
  error: string | null;
}

/**
 * Every job's recent runs (status, duration, error), as the CLI's `jobs` and the dashboard show them. An
 * attempt's outcome is running, succeeded, failed or abandoned (its replica stopped mid-run and a later
 * attempt took the slot over); failedLastDay counts the failed and the abandoned.
 */
export interface JobHistory {
  periodic: { job: string; latest: PeriodicJobRunView[]; failedLastDay: number }[];
  delayed: {
    counts: Record<string, number>;
    nextDue: { id: string; name: string; runAt: Date } | null;
    failed: { id: string; name: string; attempts: number; error: string | null }[];
  };
}

/**
 * Reads the run history from PostgreSQL: each periodic job's latest `runsPerJob` attempts from
 * scheduled_job_run with its failures in the last 24 h, and the delayed jobs by status with the next one
 * due and the latest failures.
 */
export async function readJobHistory(prisma: PrismaClient, runsPerJob = 5): Promise<JobHistory> {
  const names = await prisma.scheduledJobRun.findMany({ distinct: ['jobName'], select: { jobName: true } });
  const periodic = await Promise.all(
    names.map(async ({ jobName }) => ({
      job: jobName,
      latest: (
        await prisma.scheduledJobRun.findMany({
          where: { jobName },
          orderBy: { startedAt: 'desc' },
          take: runsPerJob,
        })
      ).map((run) => ({
        jobId: run.jobId,
        attempt: run.attempt,
        outcome: run.outcome,
        startedAt: run.startedAt,
        durationMs: run.durationMs,
        runnerId: run.runnerId,
        error: run.error,
      })),
      failedLastDay: await prisma.scheduledJobRun.count({
        // An abandoned attempt (its replica stopped mid-run) is a failure to the operator too.
        where: {
          jobName,
          outcome: { in: ['failed', 'abandoned'] },
          startedAt: { gte: new Date(Date.now() - 86_400_000) },
        },
      }),
    })),
  );
  const byStatus = await prisma.delayedJob.groupBy({ by: ['status'], _count: { _all: true } });
  const nextDue = await prisma.delayedJob.findFirst({
    where: { status: 'pending' },
    orderBy: { runAt: 'asc' },
  });
  const failed = await prisma.delayedJob.findMany({
    where: { status: 'failed' },
    orderBy: { finishedAt: 'desc' },
    take: 10,
  });
  return {
    periodic: periodic.sort((a, b) => a.job.localeCompare(b.job)),
    delayed: {
      counts: Object.fromEntries(byStatus.map((row) => [row.status, row._count._all])),
      nextDue: nextDue ? { id: String(nextDue.id), name: nextDue.name, runAt: nextDue.runAt } : null,
      failed: failed.map((job) => ({
        id: String(job.id),
        name: job.name,
        attempts: job.attempts,
        error: job.lastError,
      })),
    },
  };
}
