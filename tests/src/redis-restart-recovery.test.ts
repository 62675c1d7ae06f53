import type { TrafficGenerator } from '@dgc/discord-simulator';
import { createRedisConnection, QueueNames, RedisKeys, singleRedis } from '@dgc/shared';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { TestRedisServer } from './support/redis-server.js';
import { startService } from './support/services.js';

/** Injects /ping in a guild of `shardId` until one is answered, or fails after `timeoutMs`. */
async function pingAnswered(cluster: TestCluster, shardId: number, timeoutMs: number): Promise<number> {
  const guild = cluster.simulator.guildsForShard(shardId, 2)[0];
  if (!guild) throw new Error(`no guild on shard ${shardId}`);
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  while (Date.now() < deadline) {
    attempts += 1;
    const interaction = cluster.simulator.injectInteraction({ commandName: 'ping', guildId: guild.id });
    const answered = await cluster.simulator
      .waitForInteractionResponse(interaction.id, Math.min(3_000, Math.max(1, deadline - Date.now())))
      .then(
        () => true,
        () => false,
      );
    if (answered) return attempts;
  }
  throw new Error(`no /ping on shard ${shardId} answered within ${timeoutMs} ms (${attempts} tries)`);
}

const jsonMessages = (lines: readonly string[]) =>
  lines.flatMap((line) => {
    try {
      return [(JSON.parse(line) as { msg: string }).msg];
    } catch {
      return [];
    }
  });

describe('Redis restarted empty (no persistence) under light load', () => {
  let redis: TestRedisServer;
  let cluster: TestCluster;
  let traffic: TrafficGenerator | undefined;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    cluster = await createTestCluster('redis-restart');
    cluster.env.REDIS_URL = redis.url;
    cluster.processes.push(await startService('worker', cluster.env));
    cluster.processes.push(
      await startService('gateway', { ...cluster.env, GATEWAY_SHARD_IDS: '0' }, 'gateway-before'),
      await startService('scheduler', cluster.env),
    );
  }, 60_000);

  afterAll(async () => {
    traffic?.stop();
    await cluster?.teardown();
    await redis?.stop();
  });

  it('warns once at start that Redis persists nothing, naming the setting', () => {
    for (const process of cluster.processes) {
      const warnings = jsonMessages(process.lines).filter((message) =>
        message.startsWith('Redis persists nothing'),
      );
      expect(warnings, process.name).toHaveLength(1);
      expect(warnings[0]).toContain('appendonly yes');
    }
  });

  it('answers /ping again within 30 s, through a gateway started after the restart too, no process restarted', {
    timeout: 60_000,
  }, async () => {
    await pingAnswered(cluster, 0, 10_000);
    traffic = cluster.simulator.startTraffic({ eventsPerSecond: 50, mix: { MESSAGE_CREATE: 1 } });

    await redis.restart();
    const restartedAt = Date.now();
    cluster.processes.push(
      await startService('gateway', { ...cluster.env, GATEWAY_SHARD_IDS: '1' }, 'gateway-after'),
    );
    await Promise.all([pingAnswered(cluster, 0, 30_000), pingAnswered(cluster, 1, 30_000)]);
    expect(Date.now() - restartedAt).toBeLessThan(30_000);

    for (const process of cluster.processes) expect(process.exitStatus, process.name).toBeUndefined();
    // What Redis lost is reported by the processes that noticed, never silent.
    for (const name of ['worker', 'gateway-before', 'scheduler']) {
      const process = cluster.processes.find((candidate) => candidate.name === name);
      expect(jsonMessages(process?.lines ?? []), name).toContain(
        'Redis lost its data (restarted empty or failed over to an empty replica); re-established what this process owns',
      );
    }

    // The scheduler's job schedulers were lost with the rest; it writes them again, so its jobs run again.
    const connection = createRedisConnection({
      target: singleRedis(redis.url),
      connectionName: 'test:schedulers',
    });
    const schedulers = new Queue(QueueNames.scheduledJobs, {
      connection,
      prefix: new RedisKeys(cluster.keyPrefix).queuePrefix(QueueNames.scheduledJobs),
    });
    try {
      await expect.poll(() => schedulers.getJobSchedulersCount(), { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await schedulers.close();
      await connection.quit();
    }
  });
});
