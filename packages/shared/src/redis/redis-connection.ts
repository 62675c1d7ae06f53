import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

export interface RedisConnectionSettings {
  url: string;
  /** Shown in `CLIENT LIST`, so an operator can tell which process holds a connection. */
  connectionName: string;
  /** Options on top of the defaults, e.g. `lazyConnect` in tests. */
  overrides?: RedisOptions;
}

/**
 * One factory for every Redis connection, with the options BullMQ requires: `maxRetriesPerRequest: null`
 * (blocking commands must wait through reconnects instead of failing the worker) and a capped reconnect
 * back-off so a Redis restart is absorbed rather than turned into a crash loop.
 */
export function createRedisConnection(settings: RedisConnectionSettings): Redis {
  return new Redis(settings.url, {
    connectionName: settings.connectionName,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    ...settings.overrides,
  });
}
