import { createPrismaClient, type PrismaClient as RuntimeClient } from '@dgc/shared/db';
import { type StarterBotClient as PrismaClient, starterBotDatabase } from '@dgc/starter-bot/database';
import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { startService } from '../support/services.js';

const eventCount = 10_000;

/** Messages expected per `guild:user`, from what the simulator actually sent. */
function expectedCounts(
  messages: readonly { guild_id?: string; author: { id: string } }[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of messages) {
    const key = `${message.guild_id}:${message.author.id}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function countsInDatabase(prisma: PrismaClient): Promise<Map<string, number>> {
  const rows = await prisma.memberActivity.findMany();
  return new Map(rows.map((row) => [`${row.guildId}:${row.userId}`, row.messageCount]));
}

async function totalCounted(prisma: PrismaClient): Promise<number> {
  const result = await prisma.memberActivity.aggregate({ _sum: { messageCount: true } });
  return result._sum.messageCount ?? 0;
}

describe(`${eventCount} MESSAGE_CREATE events through gateway, Redis and two workers`, () => {
  let cluster: TestCluster;
  let prisma: PrismaClient;
  /** The runtime's tables (handled_event); member activity is the starter bot's. */
  let runtimePrisma: RuntimeClient;

  beforeAll(async () => {
    cluster = await createTestCluster('exactly-once', { shardCount: 2, guildCount: 12 });
    runtimePrisma = createPrismaClient({ databaseUrl: cluster.databaseUrl, maxConnections: 1 });
    prisma = starterBotDatabase.connect({
      pool: {
        connectionString: cluster.databaseUrl,
        max: 2,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 1_000,
      },
    });
    const workers = await Promise.all([
      startService('worker', { ...cluster.env, WORKER_CONCURRENCY: '50' }, 'worker-1'),
      startService('worker', { ...cluster.env, WORKER_CONCURRENCY: '50' }, 'worker-2'),
    ]);
    cluster.processes.push(...workers, await startService('gateway', cluster.env));
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await runtimePrisma?.$disconnect();
    await cluster?.teardown();
  });

  it('handles each event exactly once', { timeout: 180_000 }, async () => {
    const startedAt = performance.now();
    const sent = cluster.simulator.injectMessageCreates(eventCount);
    expect(sent).toHaveLength(eventCount);

    await expect.poll(() => totalCounted(prisma), { timeout: 150_000, interval: 100 }).toBe(eventCount);
    const elapsedMs = performance.now() - startedAt;
    console.log(
      `[measure] ${eventCount} MESSAGE_CREATE end to end (simulator → gateway → Redis → 2 workers → PostgreSQL): ` +
        `${(elapsedMs / 1_000).toFixed(2)} s, ${Math.round(eventCount / (elapsedMs / 1_000))} events/s`,
    );

    // Nothing left to run means nothing can still be counted: the comparison below is final.
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 30_000 }).toBe(0);
    expect(await cluster.probe.failed()).toBe(0);
    expect(await countsInDatabase(prisma)).toEqual(expectedCounts(sent));
    expect(await runtimePrisma.handledEvent.count()).toBe(eventCount);
  });

  it('does not count a redelivered event twice', async () => {
    const before = await countsInDatabase(prisma);
    const jobs = await cluster.probe.queue('events').getJobs(['completed'], 0, 99);
    expect(jobs.length).toBeGreaterThan(0);
    // Redeliver completed MESSAGE_CREATE jobs as a stalled-job retry or a resume replay would.
    await cluster.probe
      .queue('events')
      .addBulk(
        jobs
          .filter((job) => job.name === GatewayDispatchEvents.MessageCreate)
          .map((job) => ({ name: job.name, data: job.data })),
      );
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 30_000 }).toBe(0);
    expect(await cluster.probe.failed()).toBe(0);
    expect(await countsInDatabase(prisma)).toEqual(before);
  });
});
