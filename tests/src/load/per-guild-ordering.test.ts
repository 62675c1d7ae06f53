import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { startService } from '../support/services.js';

const guildCount = Number(process.env.ORDERING_TEST_GUILDS ?? 100);
const eventsPerGuild = Number(process.env.ORDERING_TEST_EVENTS_PER_GUILD ?? 1_000);
const workerCount = 4;

describe('per-guild ordering', () => {
  let cluster: TestCluster;
  let guildIds: string[];

  beforeAll(async () => {
    cluster = await createTestCluster(
      'ordering',
      { shardCount: 4, guildCount },
      { orderedLanes: ['events'], partitions: 32 },
    );
    const env = {
      ...cluster.env,
      WORKER_CONCURRENCY: '8',
      WORKER_BOT_MODULE: 'tests/src/fixtures/order-recorder-bot.ts',
      // The recorder reads the content, which Discord blanks without this privileged intent.
      GATEWAY_INTENTS: 'Guilds,GuildMessages,MessageContent',
    };
    const workers = await Promise.all(
      Array.from({ length: workerCount }, (_, index) => startService('worker', env, `worker-${index}`)),
    );
    cluster.processes.push(...workers, await startService('gateway', env));
    guildIds = [0, 1, 2, 3].flatMap((shard) =>
      cluster.simulator.guildsForShard(shard, 4).map((guild) => guild.id),
    );
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('handles each guild’s events in order across 4 workers × concurrency 8', {
    timeout: 300_000,
  }, async () => {
    expect(guildIds).toHaveLength(guildCount);
    const started = performance.now();
    for (let index = 0; index < eventsPerGuild; index += 1) {
      for (const guildId of guildIds)
        cluster.simulator.injectMessageCreate({ guildId, content: String(index) });
      // Let the simulator's sockets flush between rounds instead of queueing 100k frames at once.
      await nextTurn();
    }
    const redis = cluster.probe.redis;
    const keys = guildIds.map((guildId) => `${cluster.keyPrefix}:order:${guildId}`);
    const handled = async () => {
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.llen(key);
      const lengths = (await pipeline.exec()) ?? [];
      return lengths.reduce((sum, [, length]) => sum + Number(length), 0);
    };
    await expect.poll(handled, { timeout: 240_000, interval: 500 }).toBe(guildCount * eventsPerGuild);
    const seconds = (performance.now() - started) / 1_000;
    console.log(
      `[measure] per-guild ordering: ${guildCount * eventsPerGuild} events, ${guildCount} guilds, ` +
        `${workerCount} workers × 8 over 32 partitions in ${seconds.toFixed(2)} s = ` +
        `${Math.round((guildCount * eventsPerGuild) / seconds)} events/s`,
    );

    const expected = Array.from({ length: eventsPerGuild }, (_, index) => String(index));
    const outOfOrder: string[] = [];
    for (const key of keys) {
      const handledOrder = await redis.lrange(key, 0, -1);
      const firstWrong = handledOrder.findIndex((content, index) => content !== expected[index]);
      if (firstWrong >= 0) {
        outOfOrder.push(
          `${key}: position ${firstWrong} holds ${handledOrder.slice(Math.max(0, firstWrong - 2), firstWrong + 3).join(',')}`,
        );
      }
    }
    expect(outOfOrder.slice(0, 5), `${outOfOrder.length} guilds out of order`).toEqual([]);
    expect(await cluster.probe.failed()).toBe(0);
  });
});
