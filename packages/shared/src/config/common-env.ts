import { z } from 'zod';
import { discordToken, keyPrefix, logFormat, logLevel, positiveInt, urlWithProtocols } from './env-fields.js';

/** Variables every process reads. Each app extends this with its own. */
export const commonEnvShape = {
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: keyPrefix,
  /** A blocked event loop longer than this (ms) is logged as a warning. */
  EVENT_LOOP_WARN_MS: positiveInt(200),
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

export const commonEnvSchema = z.object(commonEnvShape);
export type CommonEnv = z.output<typeof commonEnvSchema>;
