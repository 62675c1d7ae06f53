/**
 * The simulator as a process: `npm run simulator -- --port 8990 --shards 2 --guilds 20 --token <t>`.
 * With `--auto-ping-ms`, it plays a user running a command that often so a local cluster can be watched
 * working: `/ping`, or in turn each of `--auto-commands` (e.g. ping,warn,timeout,remind,level,leaderboard,cases).
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@dgc/shared';
import { pino } from 'pino';
import { type DemoCommandName, demoCommand, demoCommandNames } from './load/demo-commands.js';
import { parseTrafficMix, type TrafficGenerator } from './load/traffic-generator.js';
import { SeededRandom } from './model/seeded-random.js';
import { DiscordSimulator } from './simulator.js';
import { simulatorEnvSchema } from './simulator-env.js';

const env = loadConfigOrExit('simulator', simulatorEnvSchema);

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: String(env.DISCORD_SIMULATOR_PORT) },
    shards: { type: 'string', default: '1' },
    guilds: { type: 'string', default: '10' },
    token: { type: 'string', default: env.DISCORD_SIMULATOR_TOKEN },
    'max-concurrency': { type: 'string', default: '1' },
    'auto-ping-ms': { type: 'string', default: '0' },
    'auto-commands': { type: 'string', default: 'ping' },
    rate: { type: 'string', default: '0' },
    mix: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});

const problems: string[] = [];
const wholeNumber = (name: keyof typeof values, min: number, max: number): number => {
  const raw = values[name];
  const parsed = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`--${name} must be a whole number from ${min} to ${max} (got ${raw ?? 'nothing'})`);
  }
  return parsed;
};
const port = wholeNumber('port', 0, 65_535);
const shardCount = wholeNumber('shards', 1, 10_000);
const guildCount = wholeNumber('guilds', 1, 1_000_000);
const maxConcurrency = wholeNumber('max-concurrency', 1, 1_024);
const autoPingMs = wholeNumber('auto-ping-ms', 0, 86_400_000);
const seed = wholeNumber('seed', 0, 2 ** 31);
const rate = wholeNumber('rate', 0, 1_000_000);
let mix: ReturnType<typeof parseTrafficMix> | undefined;
try {
  if (values.mix) mix = parseTrafficMix(values.mix);
} catch (error) {
  problems.push(`--mix: ${(error as Error).message}`);
}
const autoCommands = (values['auto-commands'] ?? 'ping').split(',').map((name) => name.trim());
const unknownCommands = autoCommands.filter(
  (name) => !(demoCommandNames as readonly string[]).includes(name),
);
if (unknownCommands.length > 0 || autoCommands.length === 0) {
  problems.push(
    `--auto-commands: unknown ${unknownCommands.join(', ')} (known: ${demoCommandNames.join(', ')})`,
  );
}
if (!values.token) problems.push('--token is required (the bot token the simulator accepts)');
if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
  problems.push('--host must be a loopback address: the simulator is for local use only');
}
if (problems.length > 0) {
  process.stderr.write(
    `Invalid simulator options:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`,
  );
  process.exit(2);
}

const pretty = env.LOG_FORMAT === 'pretty' || (env.LOG_FORMAT === 'auto' && process.stdout.isTTY);
const logger = pino({
  name: 'simulator',
  level: env.LOG_LEVEL,
  ...(pretty
    ? {
        transport: {
          target: 'pino-pretty',
          options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
        },
      }
    : {}),
});
const simulator = await DiscordSimulator.start({
  host: values.host,
  port,
  token: values.token as string,
  shardCount,
  guildCount,
  maxConcurrency,
  seed,
  logger,
  // A long-running process would otherwise keep every dispatch forever.
  dispatchLedgerCapacity: 0,
});
logger.info(
  { rest: simulator.restUrl, gateway: simulator.gatewayUrl, shards: shardCount, guilds: guildCount },
  `Discord simulator listening on ${simulator.restUrl} and ${simulator.gatewayUrl}`,
);

let pingTimer: NodeJS.Timeout | undefined;
let turn = 0;
const demoRandom = new SeededRandom(seed);
if (autoPingMs > 0) {
  pingTimer = setInterval(() => {
    // A user can only reach the bot through a guild whose shard is online.
    const online = simulator.sessions().filter((session) => session.state === 'connected');
    const guilds = online.flatMap((session) => simulator.guildsForShard(session.shard[0], session.shard[1]));
    const guild = guilds[Math.floor(Math.random() * guilds.length)];
    if (!guild) return;
    const name = autoCommands[turn % autoCommands.length] as DemoCommandName;
    turn += 1;
    const interaction = simulator.injectInteraction(demoCommand(name, guild, demoRandom));
    const sentAt = Date.now();
    simulator.waitForInteractionResponse(interaction.id, 5_000).then(
      (call) => {
        const content = (call.requestBody as { data?: { content?: string } } | undefined)?.data?.content;
        logger.info(
          { roundTripMs: call.receivedAt - sentAt, status: call.status },
          `/${name} answered in ${call.receivedAt - sentAt} ms: ${content ?? '(deferred)'}`,
        );
      },
      () => logger.warn(`/${name} got no answer within 5 s (is a worker running?)`),
    );
  }, autoPingMs);
}

let traffic: TrafficGenerator | undefined;
if (rate > 0) {
  traffic = simulator.startTraffic({ eventsPerSecond: rate, ...(mix ? { mix } : {}) });
  logger.info({ eventsPerSecond: rate }, 'generating traffic');
}

const stop = async () => {
  clearInterval(pingTimer);
  if (traffic) logger.info(traffic.stop(), 'traffic report');
  await simulator.stop();
  logger.info('simulator stopped');
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
