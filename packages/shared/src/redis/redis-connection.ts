import { Cluster, type RedisOptions, Redis as ServerConnection } from 'ioredis';
import type { RedisTarget } from './redis-target.js';

/**
 * A connection to the cluster's Redis: one server (single or Sentinel-managed) or a Redis Cluster client.
 * Code that runs against both uses only what the two share (commands, pipelines whose keys share a slot,
 * `duplicate`, `quit`), and BullMQ accepts either.
 */
export type Redis = ServerConnection | Cluster;

export interface RedisConnectionSettings {
  /** Which Redis: `redisTargetOf(config)` for a process, `singleRedis(url)` for a test or a tool. */
  target: RedisTarget;
  /** Shown in `CLIENT LIST`, so an operator can tell which process holds a connection. */
  connectionName: string;
  /** Options on top of the defaults, e.g. `lazyConnect` in tests; for a Redis Cluster, of each node. */
  overrides?: RedisOptions;
}

/** Reconnects back off up to 2 s: a Redis restart or failover is absorbed rather than turned into a crash loop. */
const reconnectDelay = (attempt: number) => Math.min(50 * 2 ** attempt, 2_000);

/**
 * One factory for every Redis connection, with the options BullMQ requires: `maxRetriesPerRequest: null`
 * (blocking commands must wait through reconnects instead of failing the worker) and a capped reconnect
 * back-off.
 */
export function createRedisConnection(settings: RedisConnectionSettings): Redis {
  const { target, connectionName, overrides } = settings;
  const options: RedisOptions = {
    connectionName,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    retryStrategy: reconnectDelay,
    ...(target.kind !== 'single' && target.password ? { password: target.password } : {}),
    ...overrides,
  };
  switch (target.kind) {
    case 'single':
      return new ServerConnection(target.url, options);
    case 'sentinel':
      return new ServerConnection({
        ...options,
        sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.name,
        role: 'master',
        ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
        sentinelRetryStrategy: reconnectDelay,
        // No `failoverDetector`: its `+switch-master` handler disconnects the client even while it is
        // reconnecting, and a client caught mid-reconnect under load stayed closed for good (a BullMQ
        // worker then held its active jobs and consumed nothing: the silent stall of taskforcesh/bullmq
        // 3088 and 4378, seen in tests/src/chaos/redis-sentinel-failover.test.ts). A dead primary closes
        // the socket; a demoted one closes its clients' connections, and a write it refuses as READONLY
        // reconnects through the Sentinels and is sent again.
        reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
      });
    case 'cluster':
      return new Cluster(
        target.nodes.map(({ host, port }) => ({ host, port })),
        {
          redisOptions: options,
          enableReadyCheck: true,
          // The cluster client connects, queues and retries for its nodes: the overrides that govern that
          // (a preflight's fail-fast connection) apply to it as well as to each node.
          lazyConnect: overrides?.lazyConnect ?? false,
          enableOfflineQueue: overrides?.enableOfflineQueue ?? true,
          clusterRetryStrategy: overrides?.retryStrategy ?? reconnectDelay,
          // A failed-over slot answers MOVED/CLUSTERDOWN for a moment; retry instead of failing the command.
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 300,
          retryDelayOnTryAgain: 200,
          slotsRefreshTimeout: 2_000,
        },
      );
  }
}
