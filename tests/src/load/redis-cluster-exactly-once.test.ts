import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startApp } from '@dgc/dev-tools/supervision';
import {
  keyHoldingServers,
  type LaneTopology,
  laneQueueNames,
  QueueNames,
  RedisKeys,
  scanKeys,
} from '@dgc/shared';
import type { ClusterOverview } from '@dgc/shared/cluster-view';
import { createPrismaClient, type PrismaClient as RuntimeClient } from '@dgc/shared/db';
import { type StarterBotClient as PrismaClient, starterBotDatabase } from '@dgc/starter-bot/database';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { freePort, repositoryRoot, startService } from '../support/services.js';

const run = promisify(execFile);
const eventCount = 10_000;
/** The hot lane spread over 3 queues (SPREAD_LANES=events=3): their tags fall on the 3 primaries' slots. */
const topology: LaneTopology = { orderedLanes: [], partitions: 1, spreadLanes: { events: 3 } };

/** Messages counted per `guild:user` in the starter bot's table. */
async function countsInDatabase(prisma: PrismaClient): Promise<Map<string, number>> {
  const rows = await prisma.memberActivity.findMany();
  return new Map(rows.map((row) => [`${row.guildId}:${row.userId}`, row.messageCount]));
}

function expectedCounts(messages: readonly { guild_id?: string; author: { id: string } }[]) {
  const counts = new Map<string, number>();
  for (const { guild_id, author } of messages) {
    const key = `${guild_id}:${author.id}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function totalCounted(prisma: PrismaClient): Promise<number> {
  const result = await prisma.memberActivity.aggregate({ _sum: { messageCount: true } });
  return result._sum.messageCount ?? 0;
}

/**
 * The whole path on a Redis Cluster of 3 primaries and 3 replicas (started by the test): gateway → lanes
 * (BullMQ queues with hash-tagged prefixes) → two workers → dedupe → REST limiter, with the scheduler
 * running beside them. A command the cluster refuses (CROSSSLOT, a pipeline over several nodes) fails a
 * write or a read somewhere on that path, and the count below comes out wrong or never completes.
 */
describe(`${eventCount} MESSAGE_CREATE events through a Redis Cluster (3 primaries, 3 replicas)`, () => {
  let cluster: TestCluster;
  let prisma: PrismaClient;
  let runtimePrisma: RuntimeClient;
  let gatewayMetricsPort: number;

  beforeAll(async () => {
    cluster = await createTestCluster('redis-cluster', { shardCount: 4, guildCount: 12 }, topology, {
      redisCluster: true,
    });
    runtimePrisma = createPrismaClient({ databaseUrl: cluster.databaseUrl, maxConnections: 1 });
    prisma = starterBotDatabase.connect({
      pool: {
        connectionString: cluster.databaseUrl,
        max: 2,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 1_000,
      },
    });
    const env = { ...cluster.env, WORKER_CONCURRENCY: '50' };
    gatewayMetricsPort = await freePort();
    cluster.processes.push(
      ...(await Promise.all([
        startService('worker', env, 'worker-1'),
        startService('worker', env, 'worker-2'),
        startService('scheduler', cluster.env),
      ])),
      await startService('gateway', { ...cluster.env, METRICS_PORT: String(gatewayMetricsPort) }),
    );
  }, 120_000);

  afterAll(async () => {
    await prisma?.$disconnect();
    await runtimePrisma?.$disconnect();
    await cluster?.teardown();
  });

  it('handles each event exactly once', { timeout: 120_000 }, async () => {
    const startedAt = performance.now();
    const sent = cluster.simulator.injectMessageCreates(eventCount);
    await expect.poll(() => totalCounted(prisma), { timeout: 90_000, interval: 200 }).toBe(eventCount);
    const seconds = (performance.now() - startedAt) / 1_000;
    console.log(
      `[measure] ${eventCount} MESSAGE_CREATE through a 3-primary Redis Cluster: ${seconds.toFixed(2)} s, ${Math.round(eventCount / seconds)} events/s`,
    );
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 30_000 }).toBe(0);
    expect(await cluster.probe.failed()).toBe(0);
    expect(await countsInDatabase(prisma)).toEqual(expectedCounts(sent));
    expect(await runtimePrisma.handledEvent.count()).toBe(eventCount);
  });

  it('answers /ping through the shared REST limiter', { timeout: 30_000 }, async () => {
    const interactions = Array.from({ length: 20 }, () =>
      cluster.simulator.injectInteraction({ commandName: 'ping' }),
    );
    const callbacks = await Promise.all(
      interactions.map(({ id }) => cluster.simulator.waitForInteractionResponse(id, 15_000)),
    );
    expect(callbacks.map((callback) => callback.status)).toEqual(interactions.map(() => 204));
    // The limiter's keys share {rest}, one slot: its scripts ran on the cluster, and the answers it let
    // through are counted there (callbacks in one write per flush, every second; a decision that waited
    // over 250 ms for Redis on this loaded machine is taken locally and not counted, hence no exact count).
    const stats = new RedisKeys(cluster.keyPrefix).restStats();
    await expect
      .poll(async () => Number(await cluster.probe.redis.hget(stats, 'requests')), { timeout: 10_000 })
      .toBeGreaterThan(0);
  });

  it('runs the scheduler’s periodic jobs from the cluster', async () => {
    const queue = new Queue(QueueNames.scheduledJobs, {
      connection: cluster.probe.redis,
      prefix: new RedisKeys(cluster.keyPrefix).queuePrefix(QueueNames.scheduledJobs),
    });
    try {
      expect((await queue.getJobSchedulers()).length).toBeGreaterThan(0);
    } finally {
      await queue.close();
    }
  });

  it('spreads the hot lane’s queues over the primaries, each taking a share of the events', async () => {
    const primaries = await keyHoldingServers(cluster.probe.redis);
    const queues = laneQueueNames(topology, 'events');
    expect(queues).toHaveLength(3);
    const holders = await Promise.all(
      queues.map(async (queue) => {
        const pattern = `${new RedisKeys(cluster.keyPrefix).queuePrefix(queue)}:*`;
        const holding = await Promise.all(
          primaries.map(async (primary) => {
            for await (const _keys of scanKeys(primary, pattern)) return true;
            return false;
          }),
        );
        expect(holding.filter(Boolean)).toHaveLength(1);
        return holding.indexOf(true);
      }),
    );
    expect(new Set(holders).size).toBe(3);
    const completed = await Promise.all(
      queues.map((queue) =>
        cluster.probe.redis.zcard(new RedisKeys(cluster.keyPrefix).queueKey(queue, 'completed')),
      ),
    );
    for (const count of completed) expect(count).toBeGreaterThan(0);
  });

  it('spreads the deployment’s keys over every primary', async () => {
    const primaries = await keyHoldingServers(cluster.probe.redis);
    expect(primaries).toHaveLength(3);
    const perPrimary = await Promise.all(
      primaries.map(async (primary) => {
        let count = 0;
        for await (const keys of scanKeys(primary, new RedisKeys(cluster.keyPrefix).everything()))
          count += keys.length;
        return count;
      }),
    );
    for (const count of perPrimary) expect(count).toBeGreaterThan(0);
  });

  it('shows the cluster in `npm run cluster -- status`', { timeout: 30_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', 'status', '--json'],
      { cwd: repositoryRoot, env: { ...process.env, ...cluster.env } },
    );
    const status = JSON.parse(stdout) as {
      shards: { shard: number; state: string }[];
      processes: { role: string }[];
    };
    expect(status.shards.map(({ shard, state }) => [shard, state])).toEqual([
      [0, 'running'],
      [1, 'running'],
      [2, 'running'],
      [3, 'running'],
    ]);
    expect(status.processes.map(({ role }) => role).sort()).toEqual([
      'gateway',
      'scheduler',
      'worker',
      'worker',
    ]);
  });

  it('counts the state cache on every primary in the gateway’s metrics', { timeout: 30_000 }, async () => {
    // Each guild's keys carry its own tag: the count walks every primary and reads each guild on its node.
    const metrics = await (await fetch(`http://127.0.0.1:${gatewayMetricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^dgc_cache_entries\{entity="guilds"[^}]*\} 12$/m);
    expect(metrics).toMatch(/^dgc_cache_entries\{entity="channels"[^}]*\} [1-9]\d*$/m);
  });

  it('shows the cluster on the dashboard', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const dashboard = await startApp(
      'dashboard',
      { ...cluster.env, DASHBOARD_PORT: String(port) },
      'dashboard',
    );
    cluster.processes.push(dashboard);
    const overview = (await (await fetch(`http://127.0.0.1:${port}/api/overview`)).json()) as ClusterOverview;
    expect(overview.shardsByState).toEqual({ running: 4 });
    expect(overview.lanes.map(({ lane, failed }) => [lane, failed])).toEqual([
      ['interactions', 0],
      ['events', 0],
      ['bulk', 0],
    ]);
    expect(overview.rest.requests).toBeGreaterThan(0);
  });
});
