/**
 * Operator CLI: `npm run cluster -- processes` lists every live process of the cluster (from the process
 * registry in Redis) with each background task's state and age. Reads REDIS_URL and REDIS_KEY_PREFIX.
 */
import { styleText } from 'node:util';
import {
  commonEnvShape,
  createRedisConnection,
  loadConfigOrExit,
  type ProcessRecord,
  ProcessRegistry,
  type TaskSnapshot,
} from '@dgc/shared';
import { z } from 'zod';

const usage = `usage: npm run cluster -- processes [--json]

  processes   live processes and their background tasks (state, age, runs, failures)
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

const [command, ...flags] = process.argv.slice(2);
if (command !== 'processes') {
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
  if (flags.includes('--json')) console.log(JSON.stringify(processes, null, 2));
  else printProcesses(processes);
} catch (error) {
  console.error(`cannot read the process registry from ${config.REDIS_URL}: ${(error as Error).message}`);
  process.exitCode = 69;
} finally {
  redis.disconnect();
}
