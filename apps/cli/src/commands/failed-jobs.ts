import { type LaneName, laneNames } from '@dgc/shared';
import { ClusterOverviewReader } from '@dgc/shared/cluster-view';
import { colour } from '../terminal-format.js';
import type { CommandContext } from './command-context.js';

function parseLane(value: string | undefined): LaneName | undefined {
  if (value === undefined) return undefined;
  if (!(laneNames as readonly string[]).includes(value)) {
    throw new Error(`unknown lane "${value}"; lanes: ${laneNames.join(', ')}`);
  }
  return value as LaneName;
}

type LaneQueue = Awaited<ReturnType<ClusterOverviewReader['lanes']>>[number]['queues'][number];
type FailedJob = Awaited<ReturnType<LaneQueue['getFailed']>>[number];

/**
 * Back to waiting with its attempts reset. An event parked from a batch waits in a job that records its
 * rejection (`{ envelope, rejection }`), which a worker fails again on sight: the job gets its event back
 * first, so a retry runs it.
 */
async function retryFailedJob(job: FailedJob): Promise<void> {
  const data = job.data as { envelope?: unknown; rejection?: unknown };
  if (data && typeof data === 'object' && 'rejection' in data && data.envelope)
    await job.updateData(data.envelope);
  await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
}

/**
 * `failed [lane]` lists failed jobs with their cause; `failed retry <lane> <job id | --all>` moves them
 * back to waiting (BullMQ keeps the attempt history).
 */
export async function failedJobs({ redis, keyPrefix, args, json }: CommandContext): Promise<void> {
  const reader = new ClusterOverviewReader(redis, keyPrefix);
  try {
    if (args[0] === 'retry') {
      const lane = parseLane(args[1]);
      const target = args[2];
      if (!lane || !target) throw new Error('usage: failed retry <lane> <job id | --all>');
      const queues = (await reader.lanes()).find((entry) => entry.lane === lane)?.queues ?? [];
      let retried = 0;
      for (const queue of queues) {
        if (target === '--all') {
          // Page from the newest: each retried job leaves the failed set, so the first page is always new.
          for (
            let page = await queue.getFailed(0, 499);
            page.length > 0;
            page = await queue.getFailed(0, 499)
          ) {
            for (const job of page) await retryFailedJob(job);
            retried += page.length;
          }
        } else {
          const job = await queue.getJob(target);
          if (job && (await job.isFailed())) {
            await retryFailedJob(job);
            retried += 1;
          }
        }
      }
      console.log(
        retried > 0 ? `${retried} job(s) of lane ${lane} back to waiting` : 'no matching failed job',
      );
      if (retried === 0) process.exitCode = 1;
      return;
    }
    const only = parseLane(args[0]);
    const rows = [];
    for (const { lane, queues } of await reader.lanes()) {
      if (only && lane !== only) continue;
      for (const queue of queues) {
        for (const job of await queue.getFailed(0, 49)) {
          rows.push({
            lane,
            id: String(job.id),
            name: job.name,
            attempts: job.attemptsMade,
            failedAt: job.finishedOn ?? job.timestamp,
            reason: job.failedReason ?? '',
          });
        }
      }
    }
    if (json) {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    if (rows.length === 0) console.log(colour('green', 'no failed jobs'));
    for (const row of rows) {
      console.log(
        `${row.lane.padEnd(13)} ${`#${row.id}`.padEnd(12)} ${row.name.padEnd(22)} ${String(row.attempts).padStart(2)} attempts  ${new Date(row.failedAt).toISOString()}  ${colour('red', row.reason)}`,
      );
    }
  } finally {
    await reader.close();
  }
}
