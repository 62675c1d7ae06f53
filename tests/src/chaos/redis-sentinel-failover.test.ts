import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrafficGenerator } from '@dgc/discord-simulator';
import { unorderedTopology } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { EventsQueueProbe } from '../support/queue-inspection.js';
import { SentinelGroup } from '../support/redis-sentinel-group.js';
import { compareWithLedger, firstRunsAfter, handlerRuns } from '../support/run-ledger.js';
import { startService } from '../support/services.js';

const eventsPerSecond = 2_000;

describe('Sentinel: the primary killed under 2,000 MESSAGE_CREATE/s', () => {
  let group: SentinelGroup;
  let cluster: TestCluster;
  let probe: EventsQueueProbe;
  let folder: string;
  let runsFile: string;
  let traffic: TrafficGenerator | undefined;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dgc-redis-sentinel-'));
    runsFile = join(folder, 'runs.log');
    [group, cluster] = await Promise.all([
      SentinelGroup.start(),
      createTestCluster('redis-sentinel', { shardCount: 2, guildCount: 12 }),
    ]);
    probe = new EventsQueueProbe(cluster.keyPrefix, unorderedTopology, group.target);
    probe.redis.on('error', () => {}); // the primary is killed; the probe follows the Sentinels
    Object.assign(cluster.env, group.env, {
      WORKER_BOT_MODULE: 'tests/src/fixtures/run-ledger-bot.ts',
      RUN_LEDGER_FILE: runsFile,
      WORKER_CONCURRENCY: '50',
      // A job left active by a write Redis lost is recovered by BullMQ's stalled check within two
      // intervals of this: short, so the test need not wait a minute.
      WORKER_LOCK_DURATION_MS: '5000',
      // WORKER_DEDUPE_WAIT_REPLICAS is left unset: under Sentinel the default checks every claim and done
      // mark (WAIT for the replica), which is what keeps a handler from running twice across the failover.
    });
    cluster.processes.push(
      ...(await Promise.all([
        startService('worker', cluster.env, 'worker-1'),
        startService('worker', cluster.env, 'worker-2'),
        startService('gateway', cluster.env),
      ])),
    );
  }, 90_000);

  afterAll(async () => {
    traffic?.stop();
    await cluster?.teardown();
    await probe?.removeAndClose().catch(() => {});
    await group?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('fails over; both workers consume again within the failover time + 5 s; every message handler runs once', {
    timeout: 90_000,
  }, async () => {
    traffic = cluster.simulator.startTraffic({ eventsPerSecond, mix: { MESSAGE_CREATE: 1 } });
    await expect
      .poll(async () => (await handlerRuns(runsFile)).size, { timeout: 20_000, interval: 250 })
      .toBeGreaterThan(2_000);

    const switched = await group.switchMaster();
    const killedAt = Date.now();
    await group.primary.kill();
    const failedOverAt = await switched.at;
    switched.close();
    const failoverMs = failedOverAt - killedAt;

    const workerPids = cluster.processes
      .filter((process) => process.name.startsWith('worker'))
      .map((process) => String(process.pid));
    await expect
      .poll(async () => [...(await firstRunsAfter(runsFile, failedOverAt)).keys()].sort(), {
        timeout: 30_000,
        interval: 250,
      })
      .toEqual([...workerPids].sort());
    const consumedAgain = await firstRunsAfter(runsFile, failedOverAt);
    const lastWorkerBackMs = Math.max(...consumedAgain.values()) - killedAt;
    console.log(
      `[measure] Sentinel failover under ${eventsPerSecond}/s: +switch-master ${failoverMs} ms after kill -9; ` +
        `both workers consuming again ${lastWorkerBackMs} ms after it`,
    );
    expect(lastWorkerBackMs).toBeLessThan(failoverMs + 5_000);

    // Both workers consumed what was sent after the failover; the rest must drain, each message once.
    traffic.stop();
    const outcome = await compareWithLedger(cluster.simulator, runsFile, probe, 45_000);
    console.log(
      `[measure] Sentinel failover: ${outcome.sent} MESSAGE_CREATE, ${outcome.missing.length} missing, ` +
        `${outcome.handledTwice.length} side effects twice, ${outcome.ranTwice.length} handlers ran twice (Redis lost their dedupe claims)`,
    );
    expect(outcome.missing).toEqual([]);
    expect(outcome.effectMissing).toEqual([]);
    expect(outcome.handledTwice).toEqual([]);
    // Not only the side effect (claimed in PostgreSQL by the bot): the handler itself ran once per message.
    expect(outcome.ranTwice).toEqual([]);
    for (const process of cluster.processes) expect(process.exitStatus, process.name).toBeUndefined();
  });
});
