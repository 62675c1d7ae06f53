import { z } from 'zod';
import {
  discordToken,
  keyPrefix,
  logFormat,
  logLevel,
  nonNegativeInt,
  positiveInt,
  urlWithProtocols,
} from './env-fields.js';

/** Variables every process reads. Each app extends this with its own. */
export const commonEnvShape = {
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: keyPrefix,
  /** A blocked event loop longer than this (ms) is logged as a warning. */
  EVENT_LOOP_WARN_MS: positiveInt(200),
  /** Port of /metrics, /healthz and /readyz; 0 (the default) serves none. Each process needs its own. */
  METRICS_PORT: nonNegativeInt(0),
  /** Address the metrics server binds to: loopback unless Prometheus scrapes from another host. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
};

export const databaseEnvShape = {
  DATABASE_URL: urlWithProtocols(
    ['postgres:', 'postgresql:'],
    'postgresql://postgres@127.0.0.1:5432/dgc_local',
  ),
  DATABASE_POOL_SIZE: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(200, 'must be at most 200')
    .default(10),
};

export const discordEnvShape = {
  DISCORD_TOKEN: discordToken,
  DISCORD_API_URL: urlWithProtocols(['https:', 'http:'], 'https://discord.com/api'),
};

/** Discord REST limits shared by every process through Redis (workers and scheduler). */
export const restEnvShape = {
  /** The bot's global limit (requests per second); Discord's default is 50. */
  REST_GLOBAL_PER_SECOND: positiveInt(50),
  /** Calls stop at this many invalid requests (401, 403, non-shared 429) in ~10 minutes; Discord bans at 10,000. */
  REST_INVALID_REQUEST_BREAKER: positiveInt(8_000),
  /** Share of every limit one process uses on its own while Redis is unavailable (1 / expected processes). */
  REST_FALLBACK_SHARE: z.coerce
    .number({ message: 'must be a number' })
    .gt(0, 'must be greater than 0')
    .max(1, 'must be at most 1')
    .default(0.25),
};

export const commonEnvSchema = z.object(commonEnvShape);
export type CommonEnv = z.output<typeof commonEnvSchema>;
