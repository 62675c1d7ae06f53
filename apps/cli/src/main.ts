/**
 * The operator CLI, `npm run cluster -- <command>`: reads the cluster's state from Redis (the cluster view
 * in @dgc/shared, the dashboard's too) and acts on lanes and processes. Reads REDIS_URL and
 * REDIS_KEY_PREFIX, and DATABASE_URL for `jobs`.
 */
import {
  assertRedisKeepsData,
  createLogger,
  createRedisConnection,
  describeRedisTarget,
  EvictingRedisError,
  loadConfigOrExit,
  redisTargetOrExit,
} from '@dgc/shared';
import type { CommandContext } from './commands/command-context.js';
import { drainRole } from './commands/drain.js';
import { failedJobs } from './commands/failed-jobs.js';
import { printJobs } from './commands/jobs.js';
import { printLanes } from './commands/lanes.js';
import { parkedDispatches } from './commands/parked.js';
import { reshard } from './commands/reshard.js';
import { printClusterState } from './commands/status.js';
import { cliEnvSchema } from './config.js';

const usage = `usage: npm run cluster -- <command> [--json]

  status      shards, then processes
  processes   live processes and their background tasks (state, age, runs, failures)
  shards      every shard: the process holding its lease, its state and heartbeat latency, its published
              sequence and how long ago it last received an event
  lanes       each lane's jobs by state (waiting, active, delayed, failed) and its lag
  failed [lane]                         failed jobs with their cause
  failed retry <lane> <job id|--all>    move failed jobs back to waiting
  parked [count]                        what gateways could not queue (malformed frames/dispatches), with the cause
  drain <role> [--timeout=<seconds>]    SIGTERM every process of a role on this host, wait until they exit
  jobs        periodic jobs' latest attempts (outcome, duration, error), delayed jobs by status
  reshard --to <N> [--deadline=<seconds>] [--no-wait]
              bring up N shards beside the running set and switch over (rolls back past the deadline)
  --json      machine-readable output`;

const commands = new Map<string, (context: CommandContext) => Promise<void>>([
  ['status', (context) => printClusterState('status', context)],
  ['processes', (context) => printClusterState('processes', context)],
  ['shards', (context) => printClusterState('shards', context)],
  ['lanes', printLanes],
  ['failed', failedJobs],
  ['parked', parkedDispatches],
  ['drain', drainRole],
  ['jobs', printJobs],
  ['reshard', reshard],
]);

const [command, ...flags] = process.argv.slice(2);
const run = command === undefined ? undefined : commands.get(command);
if (command === undefined || run === undefined) {
  console.error(usage);
  process.exit(command === undefined || command === '--help' ? 0 : 64);
}
const config = loadConfigOrExit('cluster', cliEnvSchema);
const redisTarget = redisTargetOrExit('cluster', config);
// Like every process, the CLI refuses a Redis that may evict keys (exit 78, naming the setting); its
// operator is told only of that, not warned about persistence on every command.
try {
  await assertRedisKeepsData(
    redisTarget,
    createLogger({ name: 'cluster', level: 'error', format: 'json', destination: process.stderr }),
  );
} catch (error) {
  if (!(error instanceof EvictingRedisError)) {
    console.error(`cannot reach ${describeRedisTarget(redisTarget)}: ${(error as Error).message}`);
    process.exit(69);
  }
  console.error(error.message);
  process.exit(error.exitCode);
}
const redis = createRedisConnection({
  target: redisTarget,
  connectionName: 'cli:cluster',
  overrides: { maxRetriesPerRequest: 1, retryStrategy: () => null },
});
try {
  await run({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    databaseUrl: config.DATABASE_URL,
    json: flags.includes('--json'),
    args: flags.filter((flag) => flag !== '--json'),
  });
} catch (error) {
  console.error(
    `cannot complete "${command}" against ${describeRedisTarget(redisTarget)}: ${(error as Error).message}`,
  );
  process.exitCode = 69;
} finally {
  redis.disconnect();
}
