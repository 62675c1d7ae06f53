import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRedisConnection } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { singleRedis } from '../redis/redis-target.js';
import {
  ensureLaneTopology,
  inlineRetryPolicy,
  LaneTopologyMismatchError,
  laneJobOptions,
  laneQueueNames,
  laneTopologyEnvShape,
  laneTopologyFromConfig,
  orderingKeyOf,
  partitionOf,
  unorderedTopology,
} from './lane-topology.js';

const ordered = { orderedLanes: ['events' as const], partitions: 8 };

describe('lane topology', () => {
  const redis = createRedisConnection({
    target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    connectionName: 'test:lane-topology',
  });
  const keyPrefix = `test:lane-topology:${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    await redis.del(new RedisKeys(keyPrefix).laneTopology());
    await redis.quit();
  });

  it('orders by guild, then channel, then user', () => {
    expect(orderingKeyOf({ guild_id: '1', channel_id: '2', author: { id: '3' } })).toBe('1');
    expect(orderingKeyOf({ channel_id: '2', author: { id: '3' } })).toBe('2');
    expect(orderingKeyOf({ user: { id: '3' } })).toBe('3');
    expect(orderingKeyOf({ v: 10 })).toBe('');
    expect(orderingKeyOf(null)).toBe('');
  });

  it('spreads guilds over every partition, always the same way', () => {
    const counts = new Array<number>(16).fill(0);
    for (let guild = 0; guild < 16_000; guild += 1) {
      const id = String(1_300_000_000_000_000_000n + BigInt(guild) * 4_194_304n);
      const partition = partitionOf(id, 16);
      expect(partitionOf(id, 16)).toBe(partition);
      counts[partition] = (counts[partition] ?? 0) + 1;
    }
    // Each partition within ±20 % of a fair share.
    for (const count of counts) expect(Math.abs(count - 1_000)).toBeLessThan(200);
  });

  it('names one queue per partition of an ordered lane', () => {
    expect(laneQueueNames(ordered, 'events')).toHaveLength(8);
    expect(laneQueueNames(ordered, 'events')[3]).toBe('gateway-events-events-p003');
    expect(laneQueueNames(ordered, 'interactions')).toEqual(['gateway-events-interactions']);
  });

  it('leaves retries of ordered lanes to the worker', () => {
    expect(laneJobOptions(ordered, 'events').attempts).toBeUndefined();
    expect(laneJobOptions(unorderedTopology, 'events').attempts).toBe(5);
    const policy = inlineRetryPolicy('events');
    expect(policy.attempts).toBe(5);
    expect([1, 2, 3].map((attempt) => policy.delayAfter(attempt))).toEqual([1_000, 2_000, 4_000]);
  });

  it('rejects ordering the sheddable lane and unknown lanes', () => {
    const schema = z.object(laneTopologyEnvShape);
    expect(schema.safeParse({ ORDERED_LANES: 'bulk' }).success).toBe(false);
    expect(schema.safeParse({ ORDERED_LANES: 'events,fast' }).success).toBe(false);
    const parsed = schema.parse({ ORDERED_LANES: 'events', ORDERED_LANE_PARTITIONS: '4' });
    expect(laneTopologyFromConfig(parsed)).toEqual({ orderedLanes: ['events'], partitions: 4 });
    expect(laneTopologyFromConfig(schema.parse({}))).toEqual(unorderedTopology);
  });

  it('refuses a process whose topology differs from the cluster’s', async () => {
    await ensureLaneTopology(redis, keyPrefix, ordered);
    await ensureLaneTopology(redis, keyPrefix, ordered);
    const mismatch = ensureLaneTopology(redis, keyPrefix, { ...ordered, partitions: 16 });
    await expect(mismatch).rejects.toBeInstanceOf(LaneTopologyMismatchError);
    await expect(mismatch).rejects.toThrow(/ORDERED_LANE_PARTITIONS=8/);
    const spread = laneTopologyFromConfig({
      ORDERED_LANES: ['events'],
      ORDERED_LANE_PARTITIONS: 8,
      SPREAD_LANES: { bulk: 2 },
    });
    await expect(ensureLaneTopology(redis, keyPrefix, spread)).rejects.toThrow(/SPREAD_LANES=bulk=2/);
  });

  it('spreads an unordered lane over several queues with SPREAD_LANES', () => {
    const schema = z.object(laneTopologyEnvShape);
    const topology = laneTopologyFromConfig(schema.parse({ SPREAD_LANES: 'events=3, interactions=1' }));
    expect(topology).toEqual({ ...unorderedTopology, spreadLanes: { events: 3 } });
    expect(laneQueueNames(topology, 'events')).toEqual([
      'gateway-events-events-s000',
      'gateway-events-events-s001',
      'gateway-events-events-s002',
    ]);
    expect(laneQueueNames(topology, 'interactions')).toEqual(['gateway-events-interactions']);
    // Nothing spread is stored exactly as before the setting existed: running clusters keep their topology.
    expect(JSON.stringify(laneTopologyFromConfig(schema.parse({ SPREAD_LANES: 'events=1' })))).toBe(
      JSON.stringify(unorderedTopology),
    );
    for (const bad of ['fast=2', 'events=0', 'events=65', 'events=two', 'events'])
      expect(schema.safeParse({ SPREAD_LANES: bad }).success, bad).toBe(false);
    expect(() =>
      laneTopologyFromConfig(schema.parse({ ORDERED_LANES: 'events', SPREAD_LANES: 'events=4' })),
    ).toThrow(LaneTopologyMismatchError);
  });
});
