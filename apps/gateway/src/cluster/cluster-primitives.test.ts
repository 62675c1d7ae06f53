import { randomUUID } from 'node:crypto';
import { createRedisConnection, RedisKeys, singleRedis } from '@dgc/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisIdentifyThrottler } from './redis-identify-throttler.js';
import { ShardLeases } from './shard-leases.js';

const redis = createRedisConnection({
  target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  connectionName: 'test:cluster-primitives',
});
const keyPrefix = `test:cluster:${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('ShardLeases', () => {
  it('lets one owner hold a shard, fences a lost holder, and frees a dead owner’s shard at expiry', async () => {
    const alpha = new ShardLeases({ redis, keyPrefix, owner: 'alpha', generation: 1, ttlMs: 200 });
    const beta = new ShardLeases({ redis, keyPrefix, owner: 'beta', generation: 1, ttlMs: 200 });
    const askedAt = Date.now();
    const lease = await alpha.acquire(3);
    expect(lease).toBeDefined();
    expect(await beta.acquire(3)).toBeUndefined();
    // By its own clock the holder may act for the TTL less a margin, counted from before its request
    // (not from the answer, which a loaded machine may deliver late).
    expect(lease?.validUntil).toBeGreaterThan(askedAt + 100);
    expect(lease?.validUntil).toBeLessThan(askedAt + 200);
    expect(await alpha.renew(lease ?? { shardId: 3, token: 0, validUntil: 0 })).toBe(true);
    expect(await alpha.owners(4)).toEqual(new Map([[3, 'alpha']]));

    // alpha stops renewing (a crash): the lease expires and beta takes over with a larger token.
    await expect
      .poll(() => beta.acquire(3).then((taken) => taken?.token ?? 0), { timeout: 2_000, interval: 50 })
      .toBeGreaterThan(lease?.token ?? 0);
    expect(await alpha.renew(lease ?? { shardId: 3, token: 0, validUntil: 0 })).toBe(false);
    expect(await alpha.release(lease ?? { shardId: 3, token: 0, validUntil: 0 })).toBe(false);
    expect(await alpha.owners(4)).toEqual(new Map([[3, 'beta']]));
  });
});

describe('RedisIdentifyThrottler', () => {
  it('spaces identifies of one bucket across instances and leaves other buckets free', async () => {
    const options = { redis, keyPrefix, generation: 1, maxConcurrency: 2, windowMs: 300 };
    const first = new RedisIdentifyThrottler(options);
    const second = new RedisIdentifyThrottler(options);
    const signal = new AbortController().signal;
    const started = performance.now();
    await first.waitForIdentify(0, signal);
    await second.waitForIdentify(1, signal); // other bucket: no wait
    expect(performance.now() - started).toBeLessThan(200);
    await second.waitForIdentify(2, signal); // bucket 0 again: waits for the window
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('grants a bucket’s slot in arrival order across processes', async () => {
    const options = {
      redis,
      keyPrefix: `${keyPrefix}:fifo`,
      generation: 1,
      maxConcurrency: 1,
      windowMs: 150,
    };
    const signal = new AbortController().signal;
    await new RedisIdentifyThrottler(options).waitForIdentify(0, signal);
    const granted: number[] = [];
    const waiting: Promise<void>[] = [];
    for (const shardId of [1, 2, 3]) {
      waiting.push(
        new RedisIdentifyThrottler(options)
          .waitForIdentify(shardId, signal)
          .then(() => void granted.push(shardId)),
      );
      // Let each waiter enqueue before the next arrives.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(waiting);
    expect(granted).toEqual([1, 2, 3]);
  });

  it('gives up waiting when the shard is destroyed', async () => {
    const throttler = new RedisIdentifyThrottler({
      redis,
      keyPrefix: `${keyPrefix}:abort`,
      generation: 1,
      maxConcurrency: 1,
      windowMs: 5_000,
      marginMs: 0,
    });
    await throttler.waitForIdentify(0, new AbortController().signal);
    const destroyed = new AbortController();
    const waiting = throttler.waitForIdentify(1, destroyed.signal);
    destroyed.abort();
    await expect(waiting).rejects.toBeDefined();
  });
});

describe('RedisIdentifyThrottler guards', () => {
  it('waits for the daily reset instead of identifying with no session starts left', async () => {
    let reads = 0;
    const throttler = new RedisIdentifyThrottler({
      redis,
      keyPrefix: `${keyPrefix}:budget`,
      generation: 1,
      maxConcurrency: 1,
      windowMs: 10,
      marginMs: 0,
      sessionStartLimit: async () => {
        reads += 1;
        return { total: 1_000, remaining: reads === 1 ? 0 : 999, reset_after: 1_000, max_concurrency: 1 };
      },
    });
    const started = performance.now();
    await throttler.waitForIdentify(0, new AbortController().signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(reads).toBe(2);
  });

  it('backs off a shard that keeps identifying (a crash loop), even across throttler instances', async () => {
    const options = {
      redis,
      keyPrefix: `${keyPrefix}:loop`,
      generation: 1,
      maxConcurrency: 16,
      windowMs: 10,
      marginMs: 0,
      loopThreshold: 2,
      loopWindowMs: 10_000,
      loopBackoffMs: 300,
    };
    const signal = new AbortController().signal;
    const started = performance.now();
    await new RedisIdentifyThrottler(options).waitForIdentify(5, signal);
    await new RedisIdentifyThrottler(options).waitForIdentify(5, signal);
    expect(performance.now() - started).toBeLessThan(250);
    await new RedisIdentifyThrottler(options).waitForIdentify(5, signal); // the third in the window
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await new RedisIdentifyThrottler(options).waitForIdentify(6, signal); // other shards are not held back
  });
});
