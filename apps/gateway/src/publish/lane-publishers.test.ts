import { randomUUID } from 'node:crypto';
import { createRedisConnection, orderingKeyOf, partitionOf, redisTargetOf, TaskMonitor } from '@dgc/shared';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { HeldShardLeases } from '../cluster/held-shard-leases.js';
import { gatewayEnvSchema } from '../config.js';
import type { BatchingPublisher } from './batching-publisher.js';
import { LanePublishers } from './lane-publishers.js';

const logger = pino({ level: 'silent' });
const config = gatewayEnvSchema.parse({
  DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789',
  REDIS_KEY_PREFIX: `test-lanes-${randomUUID().slice(0, 8)}`,
});
const redis = createRedisConnection({
  target: redisTargetOf(config),
  connectionName: 'test:lane-publishers',
});
const tasks = new TaskMonitor({ logger });
const publishers = new LanePublishers({
  config,
  topology: { orderedLanes: ['events'], partitions: 4 },
  redis,
  leases: new HeldShardLeases(),
  tasks,
  logger,
});

afterAll(async () => {
  await publishers.close();
  await redis.quit();
  tasks.stop();
});

describe('LanePublishers', () => {
  it("keeps a guild's events on one partition of an ordered lane, spreading guilds over all of them", () => {
    const guilds = Array.from({ length: 64 }, (_, index) => ({ guild_id: String(1_000 + index) }));
    expect(publishers.queuesOf('events')).toHaveLength(4);
    const byPartition = new Map<number, BatchingPublisher | undefined>();
    for (const payload of guilds) {
      const partition = partitionOf(orderingKeyOf(payload), 4);
      const publisher = publishers.publisherFor('events', payload);
      if (!byPartition.has(partition)) byPartition.set(partition, publisher);
      expect(publisher).toBe(byPartition.get(partition));
    }
    expect(new Set(byPartition.values()).size).toBe(4);
  });

  it('gives an unordered lane one queue and one publisher', () => {
    expect(publishers.queuesOf('interactions')).toHaveLength(1);
    expect(publishers.publisherFor('interactions', { guild_id: '1' })).toBe(
      publishers.publisherFor('interactions', { guild_id: '2' }),
    );
  });
});
