import type { Logger, RedisTargetEnv } from '@dgc/shared';
import { createRedisConnection, redisTargetOf } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import { createRateLimitedRest } from './rate-limited-rest.js';
import type { RateLimitObserver } from './shared-rate-limiter.js';

/** The settings every process that calls Discord reads (the common and REST-limit config groups). */
export interface SharedRestEnv extends RedisTargetEnv {
  DISCORD_API_URL: string;
  /** Discord's CDN (`rest.options.cdn`): where the SDK reads attachments from, and only there. */
  DISCORD_CDN_URL: string;
  DISCORD_TOKEN: string;
  REDIS_KEY_PREFIX: string;
  REST_GLOBAL_PER_SECOND: number;
  REST_INVALID_REQUEST_BREAKER: number;
  REST_FALLBACK_SHARE: number;
}

export interface SharedRestOptions {
  /** Names the limiter's Redis connection in CLIENT LIST, e.g. `worker:rest-limits`. */
  connectionName: string;
  /** Timeout of each request; the handler's or job's own timeout bounds the whole run. */
  requestTimeoutMs: number;
  logger: Logger;
  /** Metrics of the calling process; logging is done here. */
  observer?: RateLimitObserver;
}

/** A process's Discord REST client behind the cluster-wide limits, and what closing it takes. */
export interface SharedRest {
  rest: REST;
  /** Cluster-wide REST counters kept by the shared limiter. */
  clusterStats: () => Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Opens the REST client workers and schedulers call, with the limiter's own Redis connection. That
 * connection has no offline queue: while Redis is down a decision fails at once and the local fallback
 * share decides, instead of calls queueing behind a reconnect.
 */
export async function openSharedRest(env: SharedRestEnv, options: SharedRestOptions): Promise<SharedRest> {
  const { logger, observer } = options;
  const limiterRedis = createRedisConnection({
    target: redisTargetOf(env),
    connectionName: options.connectionName,
    overrides: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  });
  limiterRedis.on('error', () => {}); // reported by the limiter as a switch to its local fallback
  // Without an offline queue, a call before the connection is up would count as an outage.
  if (limiterRedis.status !== 'ready') {
    await new Promise<void>((resolve) => limiterRedis.once('ready', () => resolve()));
  }
  const { rest, limiter } = createRateLimitedRest({
    rest: {
      api: env.DISCORD_API_URL,
      cdn: env.DISCORD_CDN_URL,
      version: '10',
      timeout: options.requestTimeoutMs,
    },
    token: env.DISCORD_TOKEN,
    limiter: {
      redis: limiterRedis,
      keyPrefix: env.REDIS_KEY_PREFIX,
      globalPerSecond: env.REST_GLOBAL_PER_SECOND,
      invalidRequestBreaker: env.REST_INVALID_REQUEST_BREAKER,
      fallbackShare: env.REST_FALLBACK_SHARE,
      observer: {
        onFallback: (active, error) => {
          observer?.onFallback?.(active, error);
          if (active)
            logger.warn({ err: error }, 'Redis unavailable: REST limits now local (a share of each limit)');
          else logger.info('Redis back: REST limits shared again');
        },
        onRateLimited: (route, scope) => {
          logger.warn({ route, scope }, 'Discord answered 429');
          observer?.onRateLimited?.(route, scope);
        },
        onResponse: observer?.onResponse,
        onWait: observer?.onWait,
      },
    },
  });
  const sharedLimiter = limiter as NonNullable<typeof limiter>; // always built: options.limiter is set
  return {
    rest,
    clusterStats: () => sharedLimiter.clusterStats(),
    async close() {
      // The answers counted since the last flush still belong in the cluster's REST stats.
      await Promise.resolve(sharedLimiter.flushStats()).then(() => limiterRedis.quit());
    },
  };
}
