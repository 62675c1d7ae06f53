import { randomUUID } from 'node:crypto';
import { createRedisConnection, RedisKeys, singleRedis } from '@dgc/shared';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayMembership } from './gateway-membership.js';
import { HeldShardLeases } from './held-shard-leases.js';
import { ShardLeases } from './shard-leases.js';
import { ShardOwnership, type ShardRunner } from './shard-ownership.js';

const redis = createRedisConnection({
  target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  connectionName: 'test:held-shard-leases',
});
const keyPrefix = `test:held-leases:${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('HeldShardLeases', () => {
  it('keeps a lease found expired fenced even when a renewal sent before the expiry succeeds: the shard is stopped and resumed, not run on past the dispatches dropped meanwhile', async () => {
    const leases = new ShardLeases({ redis, keyPrefix, owner: 'alpha', generation: 1, ttlMs: 2_000 });
    const held = new HeldShardLeases();
    const lease = await leases.acquire(5);
    if (!lease) throw new Error('the lease of a free shard was refused');
    held.set(5, lease);
    expect(held.holds(5)).toBe(true);

    // A process slowed down between sending the renewal and reading its answer: a dispatch routed in
    // between finds the lease past its validity by the process's clock and is dropped...
    const renewal = leases.renew(lease);
    expect(held.holds(5, lease.validUntil)).toBe(false);
    // ...and Redis, which still had the lease, renews it.
    expect(await renewal).toBe(true);
    expect(lease.validUntil).toBeGreaterThan(Date.now());
    // Valid again, the next dispatch would be published and the shard's watermark would pass the
    // dropped one, which nothing would replay.
    expect(held.holds(5)).toBe(false);

    // The ownership tick stops the shard and gives the lease up, so the shard's next connection resumes
    // from the watermark.
    const stopped: number[] = [];
    const runner: ShardRunner = {
      start: async () => {},
      stop: async (shardId) => {
        stopped.push(shardId);
      },
    };
    const ownership = new ShardOwnership({
      leases,
      held,
      membership: new GatewayMembership({ redis, keyPrefix, member: 'alpha', ttlMs: 2_000 }),
      candidates: [5],
      capacity: 0,
      runner,
      tickEveryMs: 500,
      logger: pino({ level: 'silent' }),
    });
    await ownership.tick();
    await ownership.stopsSettled();
    expect(stopped).toEqual([5]);
    expect(held.has(5)).toBe(false);
    expect(await leases.owners(6)).toEqual(new Map());
  });
});
