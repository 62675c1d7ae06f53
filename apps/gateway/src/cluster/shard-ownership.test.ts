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
  connectionName: 'test:shard-ownership',
});
const keyPrefix = `test:shard-ownership:${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('ShardOwnership', () => {
  it('renews the leases it keeps while a shard it hands over takes long to stop (a shard waiting for its identify turn)', {
    timeout: 20_000,
  }, async () => {
    const ttlMs = 2_000;
    const membership = (member: string) => new GatewayMembership({ redis, keyPrefix, member, ttlMs });
    const leasesOf = (owner: string) => new ShardLeases({ redis, keyPrefix, owner, generation: 1, ttlMs });
    let releaseStop: () => void = () => {};
    const stopping = new Promise<void>((resolve) => {
      releaseStop = resolve;
    });
    const stopped: number[] = [];
    const runner: ShardRunner = {
      start: async () => {},
      // The stop hangs until the test lets it go: longer than the lease TTL.
      stop: async (shardId) => {
        stopped.push(shardId);
        await stopping;
      },
    };
    const alpha = new ShardOwnership({
      leases: leasesOf('alpha'),
      held: new HeldShardLeases(),
      membership: membership('alpha'),
      candidates: [0, 1, 2],
      capacity: 3,
      runner,
      tickEveryMs: 500,
      logger: pino({ level: 'silent' }),
    });
    await alpha.tick();
    expect(alpha.shards.sort()).toEqual([0, 1, 2]);

    // A second process joins: alpha is above its fair share (2 of 3) and hands one shard over.
    await membership('beta').heartbeat();
    const handOver = alpha.tick();
    // The tick ends although the stop it began has not.
    await handOver;
    expect(stopped).toHaveLength(1);
    expect(alpha.shards).toHaveLength(2);

    // Ticks go on renewing the two kept leases past the TTL while the fourth shard is still stopping.
    const kept = alpha.shards;
    const renewUntil = Date.now() + ttlMs * 2;
    while (Date.now() < renewUntil) {
      await membership('beta').heartbeat();
      await alpha.tick();
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    const owners = await leasesOf('alpha').owners(3);
    for (const shardId of kept) expect(owners.get(shardId)).toBe('alpha');
    expect(alpha.shards.sort()).toEqual([...kept].sort());

    // The stop ends: only then is the handed-over shard's lease released for its next owner.
    releaseStop();
    await alpha.stopsSettled();
    expect((await leasesOf('alpha').owners(3)).get(stopped[0] ?? -1)).toBeUndefined();
  });
});
