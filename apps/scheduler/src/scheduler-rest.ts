import { createRateLimitedRest } from '@dgc/rest';
import { createRedisConnection, type Logger, redisTargetOf } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import type { SchedulerConfig } from './config.js';

/** Timeout of each REST request of a job; the job's own timeout bounds the whole run. */
const requestTimeoutMs = 15_000;

/** The REST client bot jobs call: the same cluster-wide limits as the workers', shared through Redis. */
export interface SchedulerRest {
  rest: REST;
  close(): Promise<void>;
}

export async function openSchedulerRest(config: SchedulerConfig, logger: Logger): Promise<SchedulerRest> {
  // As in the worker: no offline queue, so while Redis is down the limiter's local fallback decides at once.
  const limiterRedis = createRedisConnection({
    target: redisTargetOf(config),
    connectionName: 'scheduler:rest-limits',
    overrides: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  });
  limiterRedis.on('error', () => {});
  if (limiterRedis.status !== 'ready') {
    await new Promise<void>((resolve) => limiterRedis.once('ready', () => resolve()));
  }
  const { rest, limiter } = createRateLimitedRest({
    rest: { api: config.DISCORD_API_URL, version: '10', timeout: requestTimeoutMs },
    token: config.DISCORD_TOKEN,
    limiter: {
      redis: limiterRedis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      globalPerSecond: config.REST_GLOBAL_PER_SECOND,
      invalidRequestBreaker: config.REST_INVALID_REQUEST_BREAKER,
      fallbackShare: config.REST_FALLBACK_SHARE,
      observer: {
        onFallback: (active, error) => {
          if (active) logger.warn({ err: error }, 'Redis unavailable: REST limits now local');
          else logger.info('Redis back: REST limits shared again');
        },
        onRateLimited: (route, scope) => logger.warn({ route, scope }, 'Discord answered 429'),
      },
    },
  });
  return {
    rest,
    async close() {
      await Promise.resolve(limiter?.flushStats()).then(() => limiterRedis.quit());
    },
  };
}
