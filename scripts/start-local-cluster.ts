/**
 * `npm start`: one terminal, a whole local cluster. Checks Redis and PostgreSQL, applies migrations (the
 * runtime's, then the bot's: WORKER_BOT_MODULE, else the example LOCAL_BOT names, default the moderation bot in
 * examples/moderation-bot), starts
 * the Discord simulator when no DISCORD_TOKEN is set, then one gateway, two workers, one scheduler and the
 * dashboard with their logs prefixed, each with a METRICS_PORT of its own, and says when every one's
 * `/readyz` answers. Ctrl-C stops them in order (gateway, then workers and scheduler, then simulator) and
 * exits 0 when every process stopped cleanly.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ManagedProcess, repositoryRoot, waitUntilReady } from '@dgc/dev-tools/supervision';
import { freePort } from '@dgc/dev-tools/testing';
import {
  assertRedisReachable,
  loadConfigOrExit,
  ServiceUnreachableError,
  singleRedis,
  withoutPassword,
} from '@dgc/shared';
import { migrateDatabase } from '@dgc/worker';
import { localClusterEnvSchema } from './local-cluster-env.js';

const root = repositoryRoot;
if (existsSync(resolve(root, '.env'))) process.loadEnvFile(resolve(root, '.env'));

// The processes started below inherit the whole environment and validate their own variables.
const env = process.env;
const config = loadConfigOrExit('npm start', localClusterEnvSchema, env);
const redisUrl = config.REDIS_URL;
const databaseUrl = config.DATABASE_URL;
const workerCount = config.LOCAL_WORKERS;
const colour = process.stdout.isTTY
  ? (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`
  : (_: number, t: string) => t;
const say = (message: string) => process.stdout.write(`${colour(1, '[cluster]  ')} ${message}\n`);

/** The example bots `npm start` can run, and what each needs of the gateway beyond the defaults. */
const exampleBots = {
  moderation: {
    module: 'examples/moderation-bot/src/bot.ts',
    commands: 'ping,warn,timeout,remind,level,leaderboard,cases',
    // Its hierarchy checks read members from the cache; XP and the mod log read messages and their content.
    env: {
      CACHE_ENTITIES: 'guilds,channels,roles,members',
      GATEWAY_INTENTS: 'Guilds,GuildMembers,GuildModeration,GuildMessages,MessageContent',
    },
  },
  starter: { module: 'examples/starter-bot/src/bot.ts', commands: 'ping', env: {} },
} as const;
const exampleBot = exampleBots[config.LOCAL_BOT];
const botModule = env.WORKER_BOT_MODULE || exampleBot.module;
// What the user set wins over the example's needs.
for (const [name, value] of Object.entries({ WORKER_BOT_MODULE: botModule, ...exampleBot.env })) {
  env[name] ||= value;
}

const processes: ManagedProcess[] = [];
let stopping = false;

function launch(
  name: string,
  colourCode: number,
  script: string,
  extraEnv: NodeJS.ProcessEnv,
  args: string[] = [],
) {
  const prefix = colour(colourCode, `[${name}]`.padEnd(12));
  const managed = ManagedProcess.start({
    name,
    cwd: root,
    args: ['--conditions=source', '--import', 'tsx', script, ...args],
    env: { ...env, ...extraEnv },
    onLine: (line) => process.stdout.write(`${prefix} ${line}\n`),
  });
  processes.push(managed);
  say(`started ${name} (pid ${managed.pid})`);
  void managed.exited.then((exit) => {
    if (!stopping) {
      say(
        colour(
          31,
          `${name} exited unexpectedly (code ${exit.code}, signal ${exit.signal}); stopping the cluster`,
        ),
      );
      void stopAll(1);
    }
  });
  return managed;
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping: gateway first, then workers and scheduler, then the simulator');
  const byName = (prefix: string) => processes.filter((candidate) => candidate.name.startsWith(prefix));
  const results = [];
  for (const group of [
    byName('gateway'),
    [...byName('worker'), ...byName('scheduler'), ...byName('dashboard')],
    byName('simulator'),
  ]) {
    results.push(...(await Promise.all(group.map((managed) => managed.stop('SIGTERM', 30_000)))));
  }
  // A process stopped by our own SIGTERM before it installed its handlers (still loading) had taken no work.
  const unclean = results.filter((exit) => exit.code !== 0 && exit.signal !== 'SIGTERM');
  say(
    unclean.length === 0
      ? 'every process stopped cleanly'
      : colour(31, `${unclean.length} process(es) did not exit 0`),
  );
  process.exit(unclean.length === 0 ? exitCode : 1);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('exit', () => {
  for (const managed of processes) managed.kill();
});

try {
  say(`checking Redis at ${withoutPassword(redisUrl)} and PostgreSQL at ${withoutPassword(databaseUrl)}`);
  await assertRedisReachable(singleRedis(redisUrl));
  // The runtime's migrations, then those of the bot the workers run.
  await migrateDatabase(databaseUrl, botModule);
  say('database migrations applied');
} catch (error) {
  const message = error instanceof ServiceUnreachableError ? error.message : String(error);
  process.stderr.write(`${colour(31, 'cannot start the cluster:')} ${message}\n`);
  process.exit(1);
}

const clusterEnv: NodeJS.ProcessEnv = {
  REDIS_URL: redisUrl,
  DATABASE_URL: databaseUrl,
  LOG_FORMAT: config.LOG_FORMAT !== 'auto' ? config.LOG_FORMAT : process.stdout.isTTY ? 'pretty' : 'json',
};

if (config.DISCORD_TOKEN === undefined) {
  const port = await freePort();
  const token = 'c2ltdWxhdG9yLWJvdA.local.simulator-token-not-a-real-discord-secret';
  say(
    colour(
      33,
      'DISCORD_TOKEN is not set: starting the local Discord simulator; nothing talks to real Discord.',
    ),
  );
  say(
    colour(
      33,
      `It plays a user running ${exampleBot.commands
        .split(',')
        .map((name) => `/${name}`)
        .join(
          ', ',
        )} in turn, one every ${config.LOCAL_PING_EVERY_MS / 1000} s; watch for "answered" below. Press Ctrl-C to stop everything.`,
    ),
  );
  const simulator = launch('simulator', 35, 'packages/discord-simulator/src/main.ts', clusterEnv, [
    '--port',
    String(port),
    '--shards',
    String(config.LOCAL_SHARDS),
    // Large bots get max_concurrency > 1 from Discord; here it lets every local shard identify at once.
    '--max-concurrency',
    String(config.LOCAL_SHARDS),
    '--guilds',
    String(config.LOCAL_GUILDS),
    '--token',
    token,
    '--auto-ping-ms',
    String(config.LOCAL_PING_EVERY_MS),
    '--auto-commands',
    env.WORKER_BOT_MODULE === exampleBot.module ? exampleBot.commands : 'ping',
  ]);
  // The simulator serves no probe endpoint: any HTTP answer means it is listening.
  await waitUntilReady(simulator, `http://127.0.0.1:${port}/api/v10/gateway`, 10_000, 'any-answer');
  Object.assign(clusterEnv, {
    DISCORD_TOKEN: token,
    DISCORD_API_URL: `http://127.0.0.1:${port}/api`,
    DISCORD_CDN_URL: `http://127.0.0.1:${port}/cdn`,
  });
} else {
  say('DISCORD_TOKEN is set: connecting to real Discord.');
}

/** Launches an app with a METRICS_PORT of its own, where it serves /metrics, /healthz and /readyz. */
async function launchApp(name: string, colourCode: number, app: string) {
  const metricsPort = await freePort();
  const managed = launch(name, colourCode, `apps/${app}/src/main.ts`, {
    ...clusterEnv,
    METRICS_PORT: String(metricsPort),
  });
  return { name, managed, metricsPort };
}

const apps = [await launchApp('scheduler', 34, 'scheduler')];
for (let index = 1; index <= workerCount; index += 1) {
  apps.push(await launchApp(`worker-${index}`, 32, 'worker'));
}
apps.push(await launchApp('gateway', 36, 'gateway'));
// The operators' dashboard on loopback (DASHBOARD_PORT, default 9300): overview, live updates, Bull Board.
apps.push(await launchApp('dashboard', 35, 'dashboard'));

// Readiness from each app's /readyz; one slow to be ready (many real shards identifying) is reported, not
// stopped: the cluster keeps running either way.
const readyTimeoutMs = 120_000;
const readiness = await Promise.allSettled(
  apps.map(({ managed, metricsPort }) =>
    waitUntilReady(managed, `http://127.0.0.1:${metricsPort}/readyz`, readyTimeoutMs),
  ),
);
if (!stopping) {
  const notReady = apps.filter((_, index) => readiness[index]?.status === 'rejected');
  say(
    notReady.length === 0
      ? `every process is ready; /metrics, /healthz and /readyz on ${apps.map(({ name, metricsPort }) => `${name} :${metricsPort}`).join(', ')}`
      : colour(
          33,
          `not ready after ${readyTimeoutMs / 1_000} s: ${notReady.map(({ name }) => name).join(', ')}`,
        ),
  );
}
