import { type StarterBotClient as PrismaClient, starterBotDatabase } from '@dgc/starter-bot/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { startService } from './support/services.js';

const eventCount = 3_000;

async function totalCounted(prisma: PrismaClient): Promise<number> {
  const result = await prisma.memberActivity.aggregate({ _sum: { messageCount: true } });
  return result._sum.messageCount ?? 0;
}

describe('worker failures under load', () => {
  let cluster: TestCluster;
  let prisma: PrismaClient;
  // Short locks and timeouts so a killed worker's jobs are recovered within seconds, not the 30 s default.
  const workerEnv = () => ({
    ...cluster.env,
    WORKER_CONCURRENCY: '20',
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_JOB_TIMEOUT_MS: '2000',
    WORKER_DRAIN_DEADLINE_MS: '10000',
  });

  beforeAll(async () => {
    cluster = await createTestCluster('worker-failures');
    prisma = starterBotDatabase.connect({
      pool: {
        connectionString: cluster.databaseUrl,
        max: 2,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 1_000,
      },
    });
    cluster.processes.push(
      await startService('gateway', { ...cluster.env, GATEWAY_EVENTS: 'MESSAGE_CREATE' }),
    );
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await cluster?.teardown();
  });

  it('kill -9 of a worker mid-load: another worker finishes its jobs, each counted once', {
    timeout: 120_000,
  }, async () => {
    const [victim, survivor] = await Promise.all([
      startService('worker', workerEnv(), 'victim'),
      startService('worker', workerEnv(), 'survivor'),
    ]);
    cluster.processes.push(survivor);
    const before = await totalCounted(prisma);
    cluster.simulator.injectMessageCreates(eventCount);
    await expect
      .poll(() => totalCounted(prisma), { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(before + eventCount / 10);
    victim.kill();
    expect((await victim.exited).signal).toBe('SIGKILL');
    await expect
      .poll(() => totalCounted(prisma), { timeout: 90_000, interval: 200 })
      .toBe(before + eventCount);
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 30_000 }).toBe(0);
    // A killed worker's jobs go back to the queue: none may end in the failed set (a failure says why).
    expect(await cluster.probe.failedJobs()).toEqual([]);
    expect(await totalCounted(prisma)).toBe(before + eventCount);
  });

  it('SIGTERM to each worker in turn under load: nothing lost, nothing counted twice, every exit 0', {
    timeout: 120_000,
  }, async () => {
    const before = await totalCounted(prisma);
    const first = await startService('worker', workerEnv(), 'rolling-1');
    cluster.simulator.injectMessageCreates(eventCount);
    await expect
      .poll(() => totalCounted(prisma), { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(before + eventCount / 10);
    const second = await startService('worker', workerEnv(), 'rolling-2');
    expect((await first.stop('SIGTERM', 30_000)).code).toBe(0);
    const third = await startService('worker', workerEnv(), 'rolling-3');
    expect((await second.stop('SIGTERM', 30_000)).code).toBe(0);
    await expect
      .poll(() => totalCounted(prisma), { timeout: 60_000, interval: 200 })
      .toBe(before + eventCount);
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 30_000 }).toBe(0);
    // The jobs themselves, not a count: a failure then says why each one failed.
    expect(await cluster.probe.failedJobs()).toEqual([]);
    expect((await third.stop('SIGTERM', 30_000)).code).toBe(0);
    expect(await totalCounted(prisma)).toBe(before + eventCount);
  });
});
