import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrafficGenerator } from '@dgc/discord-simulator';
import { singleRedis, unorderedTopology } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { EventsQueueProbe } from '../support/queue-inspection.js';
import { TestRedisServer } from '../support/redis-server.js';
import { compareWithLedger, handlerRuns } from '../support/run-ledger.js';
import { freePort, startService } from '../support/services.js';

const eventsPerSecond = 1_000;
const bufferBound = 50_000;

/** The gateway's events accepted and not yet in Redis, from its /metrics (read from memory). */
async function pendingEvents(metricsUrl: string): Promise<number> {
  const response = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('dgc_gateway_pending_events{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Resolves once `count` more handler runs are recorded than now: the workers are consuming. */
async function runsGrowBy(file: string, count: number, timeoutMs: number): Promise<void> {
  const before = (await handlerRuns(file)).size;
  await expect
    .poll(async () => (await handlerRuns(file)).size - before, { timeout: timeoutMs, interval: 250 })
    .toBeGreaterThanOrEqual(count);
}

describe('one Redis with AOF every second, killed and paused under load', () => {
  let redis: TestRedisServer;
  let cluster: TestCluster;
  let probe: EventsQueueProbe;
  let folder: string;
  let runsFile: string;
  let gatewayMetrics: string;
  let traffic: TrafficGenerator | undefined;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dgc-redis-aof-'));
    runsFile = join(folder, 'runs.log');
    redis = await TestRedisServer.start({ config: ['appendonly yes', 'appendfsync everysec'] });
    cluster = await createTestCluster('redis-aof', { shardCount: 2, guildCount: 12 });
    probe = new EventsQueueProbe(cluster.keyPrefix, unorderedTopology, singleRedis(redis.url));
    probe.redis.on('error', () => {}); // refused while the test restarts Redis; it reconnects
    Object.assign(cluster.env, {
      REDIS_URL: redis.url,
      WORKER_BOT_MODULE: 'tests/src/fixtures/run-ledger-bot.ts',
      RUN_LEDGER_FILE: runsFile,
      WORKER_CONCURRENCY: '50',
      // A job left active by a write Redis lost is recovered by BullMQ's stalled check within two
      // intervals of this: short, so the test need not wait a minute.
      WORKER_LOCK_DURATION_MS: '5000',
      GATEWAY_MAX_BUFFERED_EVENTS: String(bufferBound),
    });
    const metricsPort = await freePort();
    gatewayMetrics = `http://127.0.0.1:${metricsPort}`;
    cluster.processes.push(
      ...(await Promise.all([
        startService('worker', cluster.env, 'worker-1'),
        startService('worker', cluster.env, 'worker-2'),
        startService('gateway', { ...cluster.env, METRICS_PORT: String(metricsPort) }),
      ])),
    );
  }, 60_000);

  afterAll(async () => {
    traffic?.stop();
    await cluster?.teardown();
    await probe?.removeAndClose().catch(() => {});
    await redis?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('kill -9 and restart: every MESSAGE_CREATE handled once, none lost', { timeout: 90_000 }, async () => {
    traffic = cluster.simulator.startTraffic({ eventsPerSecond, mix: { MESSAGE_CREATE: 1 } });
    await runsGrowBy(runsFile, 2_000, 20_000);
    await redis.restart();
    const restartedAt = Date.now();
    await runsGrowBy(runsFile, 2_000, 30_000);
    console.log(`[measure] AOF restart: 2,000 more messages handled ${Date.now() - restartedAt} ms after it`);
    traffic.stop();

    const outcome = await compareWithLedger(cluster.simulator, runsFile, probe, 45_000);
    console.log(
      `[measure] AOF kill -9 + restart under ${eventsPerSecond}/s: ${outcome.sent} MESSAGE_CREATE, ${outcome.missing.length} missing, ` +
        `${outcome.handledTwice.length} side effects twice, ${outcome.ranTwice.length} handlers ran twice`,
    );
    expect(outcome.missing).toEqual([]);
    expect(outcome.effectMissing).toEqual([]);
    expect(outcome.handledTwice).toEqual([]);
    for (const process of cluster.processes) expect(process.exitStatus, process.name).toBeUndefined();
  });

  it('SIGSTOP for 10 s: the gateway buffers within its bound and loses nothing', {
    timeout: 90_000,
  }, async () => {
    traffic = cluster.simulator.startTraffic({ eventsPerSecond, mix: { MESSAGE_CREATE: 1 } });
    await runsGrowBy(runsFile, 1_000, 20_000);
    redis.pause();
    const pausedAt = Date.now();
    let peak = 0;
    // The pause is the fault itself (10 s), not a wait for something to happen.
    while (Date.now() - pausedAt < 10_000) {
      peak = Math.max(peak, await pendingEvents(gatewayMetrics).catch(() => peak));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    redis.resume();
    await runsGrowBy(runsFile, 2_000, 45_000);
    traffic.stop();
    console.log(
      `[measure] SIGSTOP 10 s under ${eventsPerSecond}/s: peak gateway buffer ${peak} events (bound ${bufferBound})`,
    );
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(bufferBound);

    const outcome = await compareWithLedger(cluster.simulator, runsFile, probe, 45_000);
    console.log(
      `[measure] after SIGSTOP: ${outcome.sent} MESSAGE_CREATE in all, ${outcome.missing.length} missing, ` +
        `${outcome.handledTwice.length} side effects twice, ${outcome.ranTwice.length} handlers ran twice`,
    );
    expect(outcome.missing).toEqual([]);
    expect(outcome.effectMissing).toEqual([]);
    expect(outcome.handledTwice).toEqual([]);
    const gateway = cluster.processes.find((process) => process.name === 'gateway');
    expect(gateway?.lines.join('\n')).not.toContain('the in-memory buffer is full');
  });
});
