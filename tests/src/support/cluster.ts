import { botMigrationSource } from '@dgc/bot-sdk/runtime';
import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { createTestDatabase, LocalRedisCluster, type TestDatabaseSchema } from '@dgc/dev-tools/testing';
import { DiscordSimulator, type SimulatorOptions } from '@dgc/discord-simulator';
import { CrossSlotPipeline, type LaneTopology, RedisKeys, unorderedTopology } from '@dgc/shared';
import { applyMigrations } from '@dgc/shared/db';
import { starterBotDatabase } from '@dgc/starter-bot/database';
import { expect } from 'vitest';
import { describeUnhandledMessages, recordSessionEvents, type SessionEventRecord } from './lost-messages.js';
import { EventsQueueProbe } from './queue-inspection.js';
import { redisUrl, simulatorToken, stopServices, uniqueKeyPrefix } from './services.js';

/** Workers run the example bot unless a test names another: its tables come after the runtime's. */
export const runtimeAndExampleBotSchema: TestDatabaseSchema = {
  async apply(databaseUrl) {
    await applyMigrations(databaseUrl);
    await applyMigrations(databaseUrl, botMigrationSource(starterBotDatabase));
  },
};

/**
 * Everything one end-to-end test file needs: a simulator, its own database and Redis key prefix, and the
 * environment that points real processes at them.
 */
export interface TestCluster {
  simulator: DiscordSimulator;
  databaseUrl: string;
  keyPrefix: string;
  env: NodeJS.ProcessEnv;
  probe: EventsQueueProbe;
  /** Processes to stop at teardown (tests push what they start). */
  processes: ManagedProcess[];
  /** The test's own Redis Cluster, when asked for (`redisCluster: true`); stopped at teardown. */
  redisCluster: LocalRedisCluster | undefined;
  /** The simulator's session milestones since the start, for explaining lost events. */
  sessionEvents: SessionEventRecord[];
  teardown(): Promise<Record<string, number | null>>;
}

export interface TestClusterOptions {
  /**
   * Start a Redis Cluster of the test's own (3 primaries, 3 replicas) beside the simulator and the
   * database: every process and the probe use it instead of the shared Redis.
   */
  redisCluster?: boolean;
}

export async function createTestCluster(
  label: string,
  simulatorOptions: Partial<SimulatorOptions> = {},
  topology: LaneTopology = unorderedTopology,
  options: TestClusterOptions = {},
): Promise<TestCluster> {
  const [simulator, database, redisCluster] = await Promise.all([
    DiscordSimulator.start({
      token: simulatorToken,
      shardCount: 2,
      guildCount: 12,
      seed: 42,
      ...simulatorOptions,
    }),
    createTestDatabase(label, { schema: runtimeAndExampleBotSchema }),
    options.redisCluster ? LocalRedisCluster.start() : undefined,
  ]);
  const keyPrefix = uniqueKeyPrefix(label);
  const probe = new EventsQueueProbe(
    keyPrefix,
    topology,
    redisCluster
      ? { kind: 'cluster', nodes: redisCluster.ports.map((port) => ({ host: '127.0.0.1', port })) }
      : undefined,
  );
  const processes: ManagedProcess[] = [];
  return {
    simulator,
    databaseUrl: database.url,
    keyPrefix,
    probe,
    processes,
    redisCluster,
    sessionEvents: recordSessionEvents(simulator),
    env: {
      REDIS_URL: redisUrl,
      ...(redisCluster ? { REDIS_CLUSTER_NODES: redisCluster.nodesVariable } : {}),
      REDIS_KEY_PREFIX: keyPrefix,
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '5',
      DISCORD_TOKEN: simulatorToken,
      DISCORD_API_URL: simulator.restUrl,
      DISCORD_CDN_URL: simulator.cdnUrl,
      GATEWAY_SHARD_COUNT: String(simulatorOptions.shardCount ?? 2),
      ORDERED_LANES: topology.orderedLanes.join(','),
      ORDERED_LANE_PARTITIONS: String(topology.partitions),
      SPREAD_LANES: Object.entries(topology.spreadLanes ?? {})
        .map(([lane, queues]) => `${lane}=${queues}`)
        .join(','),
    },
    async teardown() {
      try {
        const exits = await stopServices(processes);
        await simulator.stop();
        await probe.removeAndClose();
        await database.drop();
        return exits;
      } finally {
        await redisCluster?.stop();
      }
    },
  };
}

/** Who holds each shard's lease, read straight from Redis. */
export async function leaseOwners(
  cluster: TestCluster,
  shardCount: number,
  generation = 1,
): Promise<Map<number, string>> {
  const pipeline = new CrossSlotPipeline(cluster.probe.redis);
  for (let shardId = 0; shardId < shardCount; shardId += 1) {
    const lease = new RedisKeys(cluster.keyPrefix).shardLease(generation, shardId);
    pipeline.add(lease, (commands) => commands.hget(lease, 'owner'));
  }
  const owners = new Map<number, string>();
  (await pipeline.exec()).forEach(([, owner], shardId) => {
    if (typeof owner === 'string') owners.set(shardId, owner);
  });
  return owners;
}

/** Every MESSAGE_CREATE the simulator sent was handled, and each handler ran once. */
export async function expectEveryMessageHandledOnce(current: TestCluster): Promise<number> {
  const { simulator, probe, keyPrefix } = current;
  const sent = new Set(simulator.ledger.entries('MESSAGE_CREATE').map((record) => record.key));
  const handledIds = async () => new Set(await probe.redis.smembers(`${keyPrefix}:flood:messages`));
  try {
    await expect
      .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 30_000, interval: 250 })
      .toBe(sent.size);
  } catch (error) {
    // A failure must explain itself: which sequences of which shard's session never got handled, and
    // what the sessions and gateways did around them.
    const handled = await handledIds();
    const missing = [...sent].filter((id) => !handled.has(id));
    console.error(
      await describeUnhandledMessages(
        { ...current, redis: probe.redis, processes: current.processes },
        missing,
      ).catch((failure: unknown) => `describing the unhandled messages failed: ${String(failure)}`),
    );
    throw error;
  }
  const handled = await handledIds();
  expect([...sent].filter((id) => !handled.has(id))).toEqual([]);
  expect(Number(await probe.redis.get(`${keyPrefix}:flood:runs`))).toBe(sent.size);
  return sent.size;
}
