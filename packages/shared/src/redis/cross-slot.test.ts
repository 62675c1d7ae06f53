import { randomUUID } from 'node:crypto';
import { LocalRedisCluster } from '@dgc/dev-tools/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossSlotPipeline, keyHoldingServers, scanKeys, unlinkKeysMatching } from './cross-slot.js';
import { createRedisConnection, type Redis } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { singleRedis } from './redis-target.js';

const shardCount = 32;

describe.each(['Redis Cluster', 'single Redis'] as const)('cross-slot commands on %s', (kind) => {
  let redisCluster: LocalRedisCluster | undefined;
  let redis: Redis;
  const keys = new RedisKeys(`test:cross-slot:${randomUUID().slice(0, 8)}`);

  beforeAll(async () => {
    if (kind === 'Redis Cluster') {
      redisCluster = await LocalRedisCluster.start();
      const nodes = redisCluster.ports.map((port) => ({ host: '127.0.0.1', port }));
      redis = createRedisConnection({
        target: { kind: 'cluster', nodes },
        connectionName: 'test:cross-slot',
      });
    } else {
      redis = createRedisConnection({
        target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
        connectionName: 'test:cross-slot',
      });
    }
  }, 60_000);

  afterAll(async () => {
    await unlinkKeysMatching(redis, keys.everything());
    await redis.quit();
    await redisCluster?.stop();
  });

  it('writes and reads every shard’s keys in one call, replies in order', async () => {
    const writes = new CrossSlotPipeline(redis);
    for (let shard = 0; shard < shardCount; shard += 1) {
      const lease = keys.shardLease(1, shard);
      writes.add(lease, (commands) => commands.hset(lease, 'owner', `owner-${shard}`));
      writes.add(lease, (commands) => commands.pexpire(lease, 60_000));
    }
    expect((await writes.exec()).every(([error]) => error === null)).toBe(true);
    const reads = new CrossSlotPipeline(redis);
    for (let shard = 0; shard < shardCount; shard += 1) {
      const lease = keys.shardLease(1, shard);
      reads.add(lease, (commands) => commands.hget(lease, 'owner'));
    }
    expect((await reads.exec()).map(([, owner]) => owner)).toEqual(
      Array.from({ length: shardCount }, (_, shard) => `owner-${shard}`),
    );
  });

  it('finds the keys on every server that holds some, and removes them', async () => {
    const servers = await keyHoldingServers(redis);
    expect(servers).toHaveLength(kind === 'Redis Cluster' ? 3 : 1);
    const found: string[] = [];
    for await (const batch of scanKeys(redis, keys.everything())) found.push(...batch);
    expect(found.sort()).toEqual(
      Array.from({ length: shardCount }, (_, shard) => keys.shardLease(1, shard)).sort(),
    );
    if (kind === 'Redis Cluster') {
      // Tagged per shard, the keys are spread over the primaries instead of pinning one.
      const perServer = await Promise.all(servers.map((server) => server.dbsize()));
      for (const count of perServer) expect(count).toBeGreaterThan(0);
      // What CrossSlotPipeline is for: the client refuses a plain pipeline spanning nodes.
      const plain = redis.pipeline();
      for (const key of found) plain.exists(key);
      await expect(plain.exec()).rejects.toThrow(/same slots allocation group/);
    }
    expect(await unlinkKeysMatching(redis, keys.everything())).toBe(shardCount);
    expect(await redis.exists(keys.shardLease(1, 0))).toBe(0);
  });
});
