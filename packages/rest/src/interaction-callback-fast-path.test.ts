import { randomUUID } from 'node:crypto';
import { RedisKeys } from '@dgc/shared';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { routeKeyOf } from './route-key.js';
import { InvalidRequestBreakerOpenError, SharedRateLimiter } from './shared-rate-limiter.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const api = 'http://127.0.0.1:1/api/v10';
const callback = routeKeyOf(`${api}/interactions/123456789012345678/token/callback`, 'POST');
const message = routeKeyOf(`${api}/channels/223456789012345678/messages`, 'POST');

describe('interaction callbacks and the shared limiter', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  async function limiterWith(invalidRequestBreaker = 8_000) {
    const keyPrefix = `test:callbacks:${randomUUID().slice(0, 8)}`;
    const redis = new Redis(redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    await redis.connect();
    const admin = new Redis(redisUrl);
    cleanups.push(async () => {
      const keys = await admin.keys(new RedisKeys(keyPrefix).everything());
      if (keys.length) await admin.del(...keys);
      admin.disconnect();
      redis.disconnect();
    });
    const limiter = new SharedRateLimiter({ redis, keyPrefix, invalidRequestBreaker, redisTimeoutMs: 100 });
    return { limiter, redis, admin, keyPrefix };
  }

  it('sends a callback on the breaker state Redis last gave, without a round trip of its own', async () => {
    const { limiter, redis } = await limiterWith();
    expect(callback.exemptFromBuckets && callback.exemptFromGlobal).toBe(true);
    await limiter.acquire(callback); // the first one asks Redis
    redis.disconnect();
    // Redis is gone: a callback is still decided by the shared state it had, not by the local fallback...
    expect((await limiter.acquire(callback)).local).toBe(false);
    // ...while any other route has to ask and falls back to the local share.
    expect((await limiter.acquire(message)).local).toBe(true);
  });

  it('refuses a callback at once while the breaker Redis reported is open', async () => {
    const { limiter, redis, admin, keyPrefix } = await limiterWith(5);
    const slot = Math.floor(Date.now() / 600_000);
    await admin.hset(new RedisKeys(keyPrefix).restInvalidRequests(), String(slot), 10);
    await expect(limiter.acquire(message)).rejects.toBeInstanceOf(InvalidRequestBreakerOpenError);
    redis.disconnect();
    await expect(limiter.acquire(callback)).rejects.toBeInstanceOf(InvalidRequestBreakerOpenError);
  });

  it('counts answered callbacks in one write per flush, and an invalid one at once', async () => {
    const { limiter, admin, keyPrefix } = await limiterWith();
    const stats = new RedisKeys(keyPrefix).restStats();
    for (let index = 0; index < 5; index += 1) {
      const reservation = await limiter.acquire(callback);
      await limiter.settle(reservation, { status: 204 });
    }
    // Nothing but a count to record: it waits for the flush instead of costing a script call each.
    expect(await admin.hget(stats, 'requests')).toBeNull();
    // An invalid request counts towards Cloudflare's ban, which every process must see now.
    await limiter.settle(await limiter.acquire(callback), { status: 401 });
    expect(await admin.hget(stats, 'invalid')).toBe('1');
    expect(await admin.hget(stats, 'requests')).toBe('1');
    expect((await limiter.clusterStats()).requests).toBe(6);
  });
});
