import { createRateLimitedRest, type RateLimitObserver } from '@dgc/rest';
import { createRedisConnection, type Logger, redisTargetOf } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import type { WorkerConfig } from './config.js';

/** The Discord REST client the handlers call, behind the cluster-wide rate limiter. */
export interface WorkerRest {
  rest: REST;
  /** Cluster-wide REST counters kept by the shared limiter (absent without one). */
  clusterStats?: () => Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Opens the REST client and the limiter's own Redis connection; metrics and logs go to `observer`/`logger`. */
export async function openWorkerRest(
  config: WorkerConfig,
  logger: Logger,
  observer: RateLimitObserver,
): Promise<WorkerRest> {
  // Its own connection without an offline queue: while Redis is down a decision fails at once and the
  // local fallback share decides, instead of calls queueing behind a reconnect.
  const limiterRedis = createRedisConnection({
    target: redisTargetOf(config),
    connectionName: 'worker:rest-limits',
    overrides: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  });
  limiterRedis.on('error', () => {}); // reported by the limiter as a switch to its local fallback
  // Without an offline queue, a call before the connection is up would count as an outage.
  if (limiterRedis.status !== 'ready') {
    await new Promise<void>((resolve) => limiterRedis.once('ready', () => resolve()));
  }
  const { rest, limiter } = createRateLimitedRest({
    rest: { api: config.DISCORD_API_URL, version: '10', timeout: config.DISCORD_REST_TIMEOUT_MS },
    token: config.DISCORD_TOKEN,
    limiter: {
      redis: limiterRedis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      globalPerSecond: config.REST_GLOBAL_PER_SECOND,
      invalidRequestBreaker: config.REST_INVALID_REQUEST_BREAKER,
      fallbackShare: config.REST_FALLBACK_SHARE,
      observer: {
        onFallback: (active, error) => {
          observer.onFallback?.(active, error);
          if (active)
            logger.warn({ err: error }, 'Redis unavailable: REST limits now local (a share of each limit)');
          else logger.info('Redis back: REST limits shared again');
        },
        onRateLimited: (route, scope) => {
          logger.warn({ route, scope }, 'Discord answered 429');
          observer.onRateLimited?.(route, scope);
        },
        onResponse: observer.onResponse,
        onWait: observer.onWait,
      },
    },
  });
  return {
    rest,
    clusterStats: limiter ? () => limiter.clusterStats() : undefined,
    async close() {
      // The callbacks answered since the last flush still count in the cluster's REST stats.
      await Promise.resolve(limiter?.flushStats()).then(() => limiterRedis.quit());
    },
  };
}
