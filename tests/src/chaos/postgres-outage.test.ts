import { setTimeout as pace } from 'node:timers/promises';
import { launchApp, type ManagedProcess, waitUntilReady } from '@dgc/dev-tools/supervision';
import { type StarterBotClient as PrismaClient, starterBotDatabase } from '@dgc/starter-bot/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { freePort, startService } from '../support/services.js';
import { OwnedPostgres } from './owned-postgres.js';

/**
 * A few hundred a second for 20 s keeps the file inside its time budget on a shared machine; the bench runs
 * this file with 1,000/s and 2 minutes (`npm run bench -- pg-outage`) through these variables.
 */
const eventsPerSecond = Number(process.env.CHAOS_PG_EVENTS_PER_SECOND ?? 250);
const outageMs = Number(process.env.CHAOS_PG_OUTAGE_MS ?? 20_000);

async function totalCounted(prisma: PrismaClient): Promise<number> {
  const result = await prisma.memberActivity.aggregate({ _sum: { messageCount: true } });
  return result._sum.messageCount ?? 0;
}

/** How many of a process's log lines carry each message, over its whole run (its own buffer keeps the last). */
class LogTally {
  readonly #counts = new Map<string, number>();

  count(line: string): void {
    try {
      const { msg } = JSON.parse(line) as { msg?: unknown };
      if (typeof msg === 'string') this.#counts.set(msg, (this.#counts.get(msg) ?? 0) + 1);
    } catch {
      // not a JSON log line
    }
  }

  of(message: string): number {
    return this.#counts.get(message) ?? 0;
  }
}

async function readiness(baseUrl: string): Promise<{ status: number; failing: string[] }> {
  const response = await fetch(`${baseUrl}/readyz`);
  const body = (await response.json()) as { failing: string[] };
  return { status: response.status, failing: body.failing };
}

describe('PostgreSQL stopped for 20 s under load', () => {
  let cluster: TestCluster;
  let postgres: OwnedPostgres;
  let prisma: PrismaClient;
  const workers: { process: ManagedProcess; url: string; log: LogTally }[] = [];

  beforeAll(async () => {
    [cluster, postgres] = await Promise.all([
      createTestCluster('postgres-outage', { guildCount: 12 }),
      OwnedPostgres.start(),
    ]);
    const databaseUrl = await postgres.createDatabase('dgc_outage');
    prisma = starterBotDatabase.connect({
      pool: {
        connectionString: databaseUrl,
        max: 2,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 1_000,
      },
    });
    const env = {
      ...cluster.env,
      DATABASE_URL: databaseUrl,
      GATEWAY_EVENTS: 'MESSAGE_CREATE',
      WORKER_CONCURRENCY: '20',
    };
    for (const name of ['worker-1', 'worker-2']) {
      const port = await freePort();
      const log = new LogTally();
      const process = launchApp('worker', { ...env, METRICS_PORT: String(port) }, name, (line) =>
        log.count(line),
      );
      cluster.processes.push(process);
      await waitUntilReady(process, `http://127.0.0.1:${port}/readyz`, 30_000);
      workers.push({ process, url: `http://127.0.0.1:${port}`, log });
    }
    cluster.processes.push(await startService('gateway', env));
  }, 120_000);

  afterAll(async () => {
    await prisma?.$disconnect();
    await cluster?.teardown();
    await postgres?.remove();
  });

  it('workers pause intake and answer /readyz 503 naming postgres, resume by themselves, and every message is counted once with none failed', {
    timeout: 130_000 + outageMs * 2,
  }, async () => {
    const traffic = cluster.simulator.startTraffic({ eventsPerSecond, mix: { MESSAGE_CREATE: 1 } });
    const outage = { readyAgainMs: 0 };
    let sent: number;
    try {
      await expect.poll(() => totalCounted(prisma), { timeout: 30_000, interval: 200 }).toBeGreaterThan(500);
      for (const { url } of workers) expect(await readiness(url)).toEqual({ status: 200, failing: [] });

      await postgres.stop();
      const stoppedAt = Date.now();
      // Each worker's handlers meet the outage and its breaker opens.
      for (const { url } of workers) {
        await expect
          .poll(() => readiness(url), { timeout: 15_000, interval: 100 })
          .toEqual({ status: 503, failing: ['postgres'] });
      }
      // Through the outage (its length is the scenario, not a wait for something): the breakers stay
      // open and no job burns its retries into the failed set.
      while (Date.now() - stoppedAt < outageMs) {
        expect(await cluster.probe.failed()).toBe(0);
        for (const { url } of workers) expect((await readiness(url)).status).toBe(503);
        await pace(1_000);
      }

      await postgres.resume();
      const resumedAt = Date.now();
      for (const { url } of workers) {
        await expect
          .poll(() => readiness(url), { timeout: 20_000, interval: 100 })
          .toEqual({ status: 200, failing: [] });
      }
      outage.readyAgainMs = Date.now() - resumedAt;
    } finally {
      sent = traffic.stop().byEvent.MESSAGE_CREATE ?? 0;
    }

    expect(cluster.simulator.ledger.truncated).toBe(false);
    const messageIds = cluster.simulator.ledger.entries('MESSAGE_CREATE').map((record) => record.key);
    expect(messageIds).toHaveLength(sent);
    const trafficStoppedAt = Date.now();
    await expect.poll(() => totalCounted(prisma), { timeout: 60_000 + outageMs, interval: 500 }).toBe(sent);
    console.log(
      `[measure] PostgreSQL stopped ${outageMs / 1_000} s under ${eventsPerSecond} MESSAGE_CREATE/s: ${sent} sent, every one counted once ${Date.now() - trafficStoppedAt} ms after traffic stopped; workers ready ${outage.readyAgainMs} ms after PostgreSQL was back`,
    );
    await expect.poll(() => cluster.probe.unfinished(), { timeout: 30_000 }).toBe(0);
    expect(await cluster.probe.failed()).toBe(0);
    // Once each: every message has its claim row, and the counters add up to exactly the messages sent.
    const handled = new Set(
      (await prisma.$queryRaw<{ key: string }[]>`select key from public.handled_event`).map(({ key }) => key),
    );
    expect(messageIds.filter((id) => !handled.has(`message-create:${id}`))).toEqual([]);
    expect(handled.size).toBe(sent);
    expect(await totalCounted(prisma)).toBe(sent);
    for (const { process, log } of workers) {
      expect(log.of('dependency unreachable; pausing intake until it answers'), process.name).toBeGreaterThan(
        0,
      );
      expect(log.of('dependency answers again; intake resumed'), process.name).toBeGreaterThan(0);
      // No job spent an attempt on the outage (BullMQ reports each failed attempt; without the breaker a
      // 20 s outage costs about a thousand, and a longer one empties their retries into the failed set).
      expect(log.of('job failed'), process.name).toBe(0);
    }
  });
});
