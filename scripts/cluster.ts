/**
 * Operator CLI: `npm run cluster -- processes` lists every live process of the cluster (from the process
 * registry in Redis) with each background task's state and age; `shards` lists every shard with the
 * process holding its lease, its state and heartbeat latency and its stored sequence. Reads REDIS_URL
 * and REDIS_KEY_PREFIX.
 */
import { styleText } from 'node:util';
import {
  createRedisConnection,
  describeRedisTarget,
  loadConfigOrExit,
  type ProcessRecord,
  ProcessRegistry,
  RedisKeys,
  readShards,
  redisTargetOrExit,
  type ShardRow,
  type TaskSnapshot,
} from '@dgc/shared';
import { cliEnvSchema } from './cli/cli-env.js';
import { drainRole, failedJobs, printLanes } from './cli/lane-commands.js';

const usage = `usage: npm run cluster -- <command> [--json]

  status      shards, then processes
  processes   live processes and their background tasks (state, age, runs, failures)
  shards      every shard: the process holding its lease, its state and heartbeat latency, its published
              sequence and how long ago it last received an event
  lanes       each lane's jobs by state (waiting, active, delayed, failed) and its lag
  failed [lane]                         failed jobs with their cause
  failed retry <lane> <job id|--all>    move failed jobs back to waiting
  drain <role> [--timeout=<seconds>]    SIGTERM every process of a role on this host, wait until they exit
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
      `shard ${String(row.shard).padStart(4)}  ${state} ${(row.owner ?? '—').padEnd(40)} seq ${String(row.sequence ?? '—').padEnd(10)} last event ${row.lastEventAgeMs === null ? '—' : `${age(row.lastEventAgeMs)} ago`}  ${colour('gray', row.detail)}`,
    );
  }
}

const [command, ...flags] = process.argv.slice(2);
const commands = ['processes', 'shards', 'status', 'lanes', 'failed', 'drain'];
if (command === undefined || !commands.includes(command)) {
  console.error(usage);
  process.exit(command === undefined || command === '--help' ? 0 : 64);
}
const config = loadConfigOrExit('cluster', cliEnvSchema);
const redisTarget = redisTargetOrExit('cluster', config);
const redis = createRedisConnection({
  target: redisTarget,
  connectionName: 'cli:cluster',
  overrides: { maxRetriesPerRequest: 1, retryStrategy: () => null },
});
const json = flags.includes('--json');
const args = flags.filter((flag) => flag !== '--json');
try {
  if (command === 'lanes') await printLanes(redis, config.REDIS_KEY_PREFIX, json);
  else if (command === 'failed') await failedJobs(redis, config.REDIS_KEY_PREFIX, args, json);
  else if (command === 'drain') await drainRole(redis, config.REDIS_KEY_PREFIX, args);
  else await printClusterState();
} catch (error) {
  console.error(
    `cannot complete "${command}" against ${describeRedisTarget(redisTarget)}: ${(error as Error).message}`,
  );
  process.exitCode = 69;
} finally {
  redis.disconnect();
}

async function printClusterState(): Promise<void> {
  const processes = command === 'shards' ? [] : await ProcessRegistry.list(redis, config.REDIS_KEY_PREFIX);
  const shards = command === 'processes' ? [] : await readShards(redis, config.REDIS_KEY_PREFIX);
  const budget = await redis.hgetall(new RedisKeys(config.REDIS_KEY_PREFIX).identifyBudgetExhausted());
  const identifyBudget =
    budget.resetAt === undefined
      ? null
      : {
          exhausted: true,
          total: Number(budget.total),
          resetAt: new Date(Number(budget.resetAt)).toISOString(),
        };
  if (json) {
    const output =
      command === 'status'
        ? { shards, processes, identifyBudget }
        : command === 'shards'
          ? shards
          : processes;
    console.log(JSON.stringify(output, null, 2));
  } else {
    if (identifyBudget && command !== 'processes') {
      console.log(
        colour(
          'red',
          `no session starts (identifies) left: shards that must identify wait until ${identifyBudget.resetAt}`,
        ),
      );
    }
    if (command !== 'processes') printShards(shards);
    if (command === 'status') console.log('');
    if (command !== 'shards') printProcesses(processes);
  }
}
