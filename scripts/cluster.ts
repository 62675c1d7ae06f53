/**
 * Operator CLI: `npm run cluster -- processes` lists every live process of the cluster (from the process
 * registry in Redis) with each background task's state and age; `shards` lists every shard with the
 * process holding its lease, its state and heartbeat latency and its stored sequence. Reads REDIS_URL
 * and REDIS_KEY_PREFIX.
 */
import { styleText } from 'node:util';
import {
  commonEnvShape,
  createRedisConnection,
  loadConfigOrExit,
  type ProcessRecord,
  ProcessRegistry,
  type Redis,
  type TaskSnapshot,
} from '@dgc/shared';
import { z } from 'zod';

const usage = `usage: npm run cluster -- <processes|shards> [--json]

  processes   live processes and their background tasks (state, age, runs, failures)
  shards      every shard: the process holding its lease, its state and latency, its stored sequence
  --json      machine-readable output`;

const stateColour: Record<TaskSnapshot['state'], Parameters<typeof styleText>[0]> = {
  running: 'green',
  idle: 'gray',
  waiting: 'yellow',
  paused: 'yellow',
  failed: 'red',
  stopped: 'red',
};

function age(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function colour(format: Parameters<typeof styleText>[0], text: string): string {
  return process.stdout.isTTY ? styleText(format, text) : text;
}

function printProcesses(processes: readonly ProcessRecord[]): void {
  if (processes.length === 0) {
    console.log('no live processes');
    return;
  }
  for (const record of processes) {
    console.log(
      `${colour('bold', record.role.padEnd(10))} ${record.host}:${record.pid}  up ${age(Date.now() - record.startedAt)}  heartbeat ${age(Date.now() - record.heartbeatAt)} ago`,
    );
    for (const task of record.tasks) {
      const failures = task.failures > 0 ? colour('red', ` failures ${task.failures}`) : '';
      const runs = task.kind === 'periodic' ? ` runs ${task.runs}` : '';
      console.log(
        `  ${task.name.padEnd(34)} ${colour(stateColour[task.state], task.state.padEnd(8))} for ${age(task.stateAgeMs).padEnd(8)}${runs}${failures}${task.detail ? `  ${colour('gray', task.detail)}` : ''}`,
      );
    }
  }
}

interface ShardRow {
  shard: number;
  owner: string | null;
  state: string;
  detail: string;
  sequence: number | null;
}

/** Joins the lease owners, the stored sessions and the owners' own task lists, shard by shard. */
async function readShards(
  redis: Redis,
  keyPrefix: string,
  processes: readonly ProcessRecord[],
): Promise<ShardRow[]> {
  const shardCount = Number(await redis.get(`${keyPrefix}:gateway:shard-count`));
  if (!Number.isInteger(shardCount) || shardCount <= 0) return [];
  const pipeline = redis.pipeline();
  for (let shard = 0; shard < shardCount; shard += 1) {
    pipeline.hget(`${keyPrefix}:shard-lease:${shard}`, 'owner');
    pipeline.hget(`${keyPrefix}:shard-session:${shard}`, 'sequence');
  }
  const replies = ((await pipeline.exec()) ?? []).map(([, value]) => value);
  return Array.from({ length: shardCount }, (_, shard) => {
    const owner = typeof replies[shard * 2] === 'string' ? (replies[shard * 2] as string) : null;
    const sequence = replies[shard * 2 + 1];
    // Lease owners are host:pid:nonce; registry records carry host and pid.
    const holder = owner
      ? processes.find((record) => owner.startsWith(`${record.host}:${record.pid}:`))
      : undefined;
    const task = holder?.tasks.find((candidate) => candidate.name === `shard:${shard}`);
    return {
      shard,
      owner: holder ? `${holder.host}:${holder.pid}` : owner,
      state: task?.state ?? (owner ? 'unknown' : 'unowned'),
      detail: task?.detail ?? '',
      sequence: typeof sequence === 'string' ? Number(sequence) : null,
    };
  });
}

function printShards(rows: readonly ShardRow[]): void {
  if (rows.length === 0) {
    console.log('no shard count published yet (no gateway has started)');
    return;
  }
  for (const row of rows) {
    const state = colour(
      row.state === 'running' ? 'green' : row.state === 'unowned' ? 'red' : 'yellow',
      row.state.padEnd(8),
    );
    console.log(
      `shard ${String(row.shard).padStart(4)}  ${state} ${(row.owner ?? '—').padEnd(28)} seq ${String(row.sequence ?? '—').padEnd(10)} ${colour('gray', row.detail)}`,
    );
  }
}

const [command, ...flags] = process.argv.slice(2);
if (command !== 'processes' && command !== 'shards') {
  console.error(usage);
  process.exit(command === undefined || command === '--help' ? 0 : 64);
}
const config = loadConfigOrExit('cluster', z.object(commonEnvShape));
const redis = createRedisConnection({
  url: config.REDIS_URL,
  connectionName: 'cli:cluster',
  overrides: { maxRetriesPerRequest: 1, retryStrategy: () => null },
});
try {
  const processes = await ProcessRegistry.list(redis, config.REDIS_KEY_PREFIX);
  const result =
    command === 'shards' ? await readShards(redis, config.REDIS_KEY_PREFIX, processes) : processes;
  if (flags.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else if (command === 'shards') printShards(result as ShardRow[]);
  else printProcesses(processes);
} catch (error) {
  console.error(`cannot read the process registry from ${config.REDIS_URL}: ${(error as Error).message}`);
  process.exitCode = 69;
} finally {
  redis.disconnect();
}
