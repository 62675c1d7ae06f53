import { setTimeout as sleep } from 'node:timers/promises';
import { styleText } from 'node:util';
import { ClusterOverviewReader } from '@dgc/dashboard';
import { type LaneName, laneNames, ProcessRegistry, type Redis } from '@dgc/shared';

type Colour = Parameters<typeof styleText>[0];
const colour = (name: Colour, text: string) => (process.stdout.isTTY ? styleText(name, text) : text);
const age = (ms: number) =>
  ms < 1_000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1_000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;

/** `lanes`: each lane's jobs by state and how long its oldest waiting job has waited. */
export async function printLanes(redis: Redis, keyPrefix: string, json: boolean): Promise<void> {
  const reader = new ClusterOverviewReader(redis, keyPrefix);
  try {
    const { lanes } = await reader.read();
    if (json) {
      console.log(JSON.stringify(lanes, null, 2));
      return;
    }
    console.log(
      `${'lane'.padEnd(14)}${'waiting'.padStart(9)}${'active'.padStart(9)}${'delayed'.padStart(9)}${'failed'.padStart(9)}  lag`,
    );
    for (const lane of lanes) {
      const lag = colour(
        lane.lagMs > 5_000 ? 'red' : lane.lagMs > 1_000 ? 'yellow' : 'green',
        age(lane.lagMs),
      );
      const failed = String(lane.failed).padStart(9);
      console.log(
        `${lane.lane.padEnd(14)}${String(lane.waiting).padStart(9)}${String(lane.active).padStart(9)}${String(lane.delayed).padStart(9)}${lane.failed > 0 ? colour('red', failed) : failed}  ${lag}`,
      );
    }
  } finally {
    await reader.close();
  }
}

function parseLane(value: string | undefined): LaneName | undefined {
  if (value === undefined) return undefined;
  if (!(laneNames as readonly string[]).includes(value)) {
    throw new Error(`unknown lane "${value}"; lanes: ${laneNames.join(', ')}`);
  }
  return value as LaneName;
}

/**
 * `failed [lane]` lists failed jobs with their cause; `failed retry <lane> <job id | --all>` moves them
 * back to waiting (BullMQ keeps the attempt history).
 */
export async function failedJobs(
  redis: Redis,
  keyPrefix: string,
  args: string[],
  json: boolean,
): Promise<void> {
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
          const count = await queue.getFailedCount();
          await queue.retryJobs({ state: 'failed', count: 1_000 });
          retried += count;
        } else {
          const job = await queue.getJob(target);
          if (job && (await job.isFailed())) {
            await job.retry('failed');
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

/**
 * `drain <role> [--timeout=<s>]`: SIGTERM to every live process of a role on this host (each drains its
 * work and exits), then waits, with progress, until they have left the registry. Processes on other hosts
 * are listed: stop them where they run.
 */
export async function drainRole(redis: Redis, keyPrefix: string, args: string[]): Promise<void> {
  const role = args[0];
  if (!role) throw new Error('usage: drain <gateway|worker|scheduler|dashboard> [--timeout=<seconds>]');
  const timeoutMs = Number(/^--timeout=(\d+)$/.exec(args[1] ?? '')?.[1] ?? 60) * 1_000;
  const { hostname } = await import('node:os');
  const targets = (await ProcessRegistry.list(redis, keyPrefix)).filter((record) => record.role === role);
  const local = targets.filter((record) => record.host === hostname());
  for (const record of targets.filter((target) => target.host !== hostname())) {
    console.log(colour('yellow', `${record.id} runs on ${record.host}: stop it there`));
  }
  if (local.length === 0) {
    console.log(`no ${role} process on this host`);
    return;
  }
  for (const record of local) {
    try {
      process.kill(record.pid, 'SIGTERM');
      console.log(`SIGTERM → ${record.id}`);
    } catch (error) {
      console.log(colour('red', `cannot signal ${record.id}: ${(error as Error).message}`));
    }
  }
  const deadline = Date.now() + timeoutMs;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (;;) {
    const remaining = local.filter((record) => alive(record.pid));
    process.stdout.write(`\rdraining ${role}: ${local.length - remaining.length}/${local.length} stopped`);
    if (remaining.length === 0) break;
    if (Date.now() > deadline) {
      process.stdout.write('\n');
      console.log(
        colour('red', `still running after ${timeoutMs / 1_000} s: ${remaining.map((r) => r.id).join(', ')}`),
      );
      process.exitCode = 1;
      return;
    }
    await sleep(250);
  }
  process.stdout.write('\n');
  console.log(colour('green', `every ${role} process on this host drained and exited`));
}
