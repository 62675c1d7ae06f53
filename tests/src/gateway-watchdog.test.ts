import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { logMessageIs, startService } from './support/services.js';

describe('shard watchdog', () => {
  let cluster: TestCluster;
  let gateway: ManagedProcess;

  beforeAll(async () => {
    cluster = await createTestCluster('watchdog', { guildCount: 12, resumeWindowMs: 60_000 });
    const env = {
      ...cluster.env,
      WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts',
      GATEWAY_WATCHDOG_SILENT_MS: '1500',
    };
    cluster.processes.push(await startService('worker', env));
    gateway = await startService('gateway', env);
    cluster.processes.push(gateway);
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('reconnects a shard whose feed went silent, and the resume replays what it withheld', {
    timeout: 90_000,
  }, async () => {
    const { simulator, probe, keyPrefix } = cluster;
    const traffic = simulator.startTraffic({ eventsPerSecond: 400, mix: { MESSAGE_CREATE: 1 } });
    // The watchdog only calls a feed silent once the shard has been busy (100 events by default).
    await expect
      .poll(
        () => simulator.ledger.entries('MESSAGE_CREATE').filter((record) => record.shardId === 0).length,
        {
          timeout: 20_000,
        },
      )
      .toBeGreaterThan(300);
    const silencedAt = Date.now();
    simulator.faults.silenceDispatches(0);
    const restart = await gateway.waitForLine((line) => {
      if (!logMessageIs('shard watchdog: reconnecting the shard')(line)) return false;
      const entry = JSON.parse(line) as { shardId: number; reason: string };
      return entry.shardId === 0 && entry.reason === 'silent';
      // A deadline, not a wait: generous because CI shares two cores with every process of the test.
    }, 25_000);
    expect(restart).toBeDefined();
    await expect
      .poll(
        () =>
          gateway.lines
            .filter(logMessageIs('shard resumed'))
            .some((line) => (JSON.parse(line) as { shardId: number; time: number }).time >= silencedAt),
        { timeout: 25_000 },
      )
      .toBe(true);
    traffic.stop();
    const sent = new Set(simulator.ledger.entries('MESSAGE_CREATE').map((record) => record.key));
    await expect
      .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 30_000, interval: 250 })
      .toBe(sent.size);
  });
});
