import { z } from 'zod';
import { envGroup, variable } from './env-docs.js';
import {
  discordToken,
  hostPortList,
  keyPrefix,
  logFormat,
  logLevel,
  nonNegativeInt,
  positiveInt,
  urlWithProtocols,
} from './env-fields.js';

/** How a process logs: read by every process, the local tools included. */
export const loggingEnvShape = envGroup('Logging, Redis and metrics', {
  LOG_LEVEL: variable(logLevel, 'pino log level: fatal | error | warn | info | debug | trace | silent.'),
  LOG_FORMAT: variable(logFormat, 'auto (pretty on a terminal, JSON otherwise) | json | pretty.'),
});

/** Where the cluster's Redis is: read by every cluster process and the operators' tools. */
export const redisEnvShape = envGroup('Logging, Redis and metrics', {
  REDIS_URL: variable(urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'), {
    description:
      'redis:// or rediss:// URL of the Redis holding the queues, when it is one server. A password in it is never logged.',
  }),
  REDIS_SENTINELS: variable(hostPortList, {
    description:
      'host:port,… of the Sentinels watching the primary; selects Sentinel (REDIS_URL is then ignored) and requires REDIS_SENTINEL_NAME.',
    unsetMeans: 'no Sentinel',
  }),
  REDIS_SENTINEL_NAME: variable(z.string().min(1).optional(), {
    description: 'Name of the primary the Sentinels monitor (`sentinel monitor <name> …`).',
    unsetMeans: 'no Sentinel',
  }),
  REDIS_SENTINEL_PASSWORD: variable(z.string().min(1).optional(), {
    description: 'Password of the Sentinels themselves (`requirepass` in sentinel.conf). Never logged.',
    secret: true,
    unsetMeans: 'Sentinels without a password',
  }),
  REDIS_CLUSTER_NODES: variable(hostPortList, {
    description:
      'host:port,… of some Redis Cluster nodes (the rest are discovered); selects Redis Cluster (REDIS_URL is then ignored).',
    unsetMeans: 'no Redis Cluster',
  }),
  REDIS_PASSWORD: variable(z.string().min(1).optional(), {
    description:
      'Password of the Redis servers with REDIS_SENTINELS or REDIS_CLUSTER_NODES (with REDIS_URL it goes in the URL). Never logged.',
    secret: true,
    unsetMeans: 'no password',
  }),
  REDIS_KEY_PREFIX: variable(
    keyPrefix,
    'Prefix of every Redis key; lets several clusters (or test runs) share one Redis.',
  ),
});

/** Variables every cluster process reads. Each app extends this with its own. */
export const commonEnvShape = {
  ...loggingEnvShape,
  ...redisEnvShape,
  ...envGroup('Logging, Redis and metrics', {
    EVENT_LOOP_WARN_MS: variable(
      positiveInt(200),
      'An event loop blocked longer than this (ms) is logged as a warning (sampled every 5 s).',
    ),
    METRICS_PORT: variable(
      nonNegativeInt(0),
      'Port of /metrics (Prometheus), /healthz and /readyz (Kubernetes probes); 0 serves none. One port per process.',
    ),
    METRICS_HOST: variable(
      z.string().min(1).default('127.0.0.1'),
      'Address the metrics server binds to; loopback unless Prometheus scrapes from another host.',
    ),
  }),
};

export const databaseEnvShape = envGroup('PostgreSQL', {
  DATABASE_URL: variable(
    urlWithProtocols(['postgres:', 'postgresql:'], 'postgresql://postgres@127.0.0.1:5432/dgc_local'),
    'postgres:// or postgresql:// URL of the database. A password in it is never logged.',
  ),
  DATABASE_POOL_SIZE: variable(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(200, 'must be at most 200')
      .default(10),
    'Database connections per process (1-200).',
  ),
});

export const discordEnvShape = envGroup('Discord', {
  DISCORD_TOKEN: variable(discordToken, {
    description:
      'The bot token from the Developer Portal; required. `npm start` runs the local Discord simulator when it is unset. Never logged.',
    secret: true,
  }),
  DISCORD_API_URL: variable(
    urlWithProtocols(['https:', 'http:'], 'https://discord.com/api'),
    "Discord REST base URL; the simulator's is http://127.0.0.1:<port>/api.",
  ),
});

/** Where handlers and jobs read attachments from (workers and schedulers, which run a bot's code). */
export const discordCdnEnvShape = envGroup('Discord', {
  DISCORD_CDN_URL: variable(
    urlWithProtocols(['https:', 'http:'], 'https://cdn.discordapp.com'),
    "Discord's CDN: the only place a bot's `readAttachmentText` reads an attachment from (any other URL is refused); the simulator's is http://127.0.0.1:<port>/cdn.",
  ),
});

/** Discord REST limits shared through Redis by every process that calls Discord's REST API. */
export const restEnvShape = envGroup('Discord REST limits', {
  REST_GLOBAL_PER_SECOND: variable(
    positiveInt(50),
    "The bot's global REST limit (requests per second), shared by every worker through Redis; Discord's default is 50.",
  ),
  REST_INVALID_REQUEST_BREAKER: variable(
    positiveInt(8_000),
    'Calls stop at this many invalid requests (401, 403, non-shared 429) in ~10 minutes; Discord bans at 10,000.',
  ),
  REST_FALLBACK_SHARE: variable(
    z.coerce
      .number({ message: 'must be a number' })
      .gt(0, 'must be greater than 0')
      .max(1, 'must be at most 1')
      .default(0.25),
    'Share of every limit one process uses on its own while Redis is unavailable (1 / expected processes).',
  ),
});

export const commonEnvSchema = z.object(commonEnvShape);
export type CommonEnv = z.output<typeof commonEnvSchema>;
