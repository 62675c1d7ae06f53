import { randomUUID } from 'node:crypto';
import {
  type CacheEntityKind,
  createLogger,
  createRedisConnection,
  RedisKeys,
  singleRedis,
} from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import { StateCacheWriter } from '../cache/state-cache-writer.js';
import { HeldShardLeases } from '../cluster/held-shard-leases.js';

/**
 * What the cache writer's tests against real Redis share: a key prefix of their own, shard 0 leased to
 * this process, writers made for the entities a test names, dispatches applied and drained, and the
 * test's keys and connections removed at the end (`cleanup`, for `afterAll`).
 */
export function cacheWriterFixture(name: string, defaultEntities: readonly CacheEntityKind[] = []) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = `test-${name}-${randomUUID().slice(0, 8)}`;
  const keys = new RedisKeys(keyPrefix);
  const leases = new HeldShardLeases();
  leases.set(0, { shardId: 0, token: 1, validUntil: Date.now() + 10 * 60_000 });
  const redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: `test:${name}` });
  const receipt = { confirm: () => {} };
  const logger = createLogger({ name: name, level: 'silent' });
  const writers: StateCacheWriter[] = [];
  return {
    keyPrefix,
    keys,
    redis,
    make(entities: readonly CacheEntityKind[] = defaultEntities): StateCacheWriter {
      const writer = new StateCacheWriter({
        redisTarget: singleRedis(redisUrl),
        keyPrefix,
        entities: new Set(entities),
        maxEvents: 100,
        maxWaitMs: 2,
        maxBuffered: 1_000,
        maxPendingEntries: 10_000,
        leases,
        logger,
      });
      writers.push(writer);
      return writer;
    },
    /** Applies the dispatches on shard 0 in order and waits until they are in Redis. */
    async apply(writer: StateCacheWriter, ...dispatches: GatewayDispatchPayload[]): Promise<void> {
      for (const each of dispatches) writer.apply(each, 0, receipt);
      await writer.drain(AbortSignal.timeout(5_000));
    },
    async cleanup(): Promise<void> {
      const found = await redis.keys(keys.everything());
      if (found.length > 0) await redis.del(...found);
      for (const writer of writers) await writer.close();
      await redis.quit();
    },
  };
}
