import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { logMessageIs, startService } from './support/services.js';

/**
 * A gateway killed with events still in flight: a new process takes its shards over from the sessions in
 * Redis, RESUMEs instead of identifying, and Discord's replay from the published watermark means no
 * message is lost.
 */
describe('gateway crash and takeover', () => {
  let cluster: TestCluster;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cluster = await createTestCluster('takeover', { guildCount: 12, resumeWindowMs: 60_000 });
    env = {
      ...cluster.env,
      WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts',
      GATEWAY_LEASE_TTL_MS: '3000',
    };
    cluster.processes.push(await startService('worker', env));
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('resumes both shards in a new process and loses no message', { timeout: 90_000 }, async () => {
    const { simulator, probe, keyPrefix } = cluster;
    const first = await startService('gateway', env, 'gateway-1');
    cluster.processes.push(first);
    const identifiesBefore = simulator.stats().identifies;
    const traffic = simulator.startTraffic({ eventsPerSecond: 400, mix: { MESSAGE_CREATE: 1 } });
    await expect
      .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 10_000 })
      .toBeGreaterThan(200);

    first.kill(); // SIGKILL: buffered and in-flight events die with it
    await first.exited;
    const second = await startService('gateway', env, 'gateway-2');
    cluster.processes.push(second);
    await second.waitForLine(logMessageIs('shard resumed'), 10_000);
    await expect
      .poll(() => second.lines.filter(logMessageIs('shard resumed')).length, { timeout: 10_000 })
      .toBe(2);
    traffic.stop();

    expect(simulator.stats().identifies).toBe(identifiesBefore);
    expect(second.lines.some(logMessageIs('shard READY'))).toBe(false);
    const sent = new Set(simulator.ledger.entries('MESSAGE_CREATE').map((record) => record.key));
    await expect
      .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 30_000, interval: 250 })
      .toBe(sent.size);
    const handled = await probe.redis.smembers(`${keyPrefix}:flood:messages`);
    expect(handled.filter((id) => !sent.has(id))).toEqual([]);
    console.log(
      `[measure] takeover: ${sent.size} messages sent across a kill -9 of the gateway, all handled`,
    );
  });

  it('hands its shards over on SIGTERM: the next process resumes them', { timeout: 90_000 }, async () => {
    const { simulator, probe, keyPrefix } = cluster;
    const current = cluster.processes.find((process) => process.name === 'gateway-2');
    expect(current).toBeDefined();
    const identifiesBefore = simulator.stats().identifies;
    const traffic = simulator.startTraffic({ eventsPerSecond: 400, mix: { MESSAGE_CREATE: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await current?.stop('SIGTERM', 20_000))?.code).toBe(0);
    const next = await startService('gateway', env, 'gateway-3');
    cluster.processes.push(next);
    await expect
      .poll(() => next.lines.filter(logMessageIs('shard resumed')).length, { timeout: 10_000 })
      .toBe(2);
    traffic.stop();
    expect(simulator.stats().identifies).toBe(identifiesBefore);
    const sent = new Set(simulator.ledger.entries('MESSAGE_CREATE').map((record) => record.key));
    await expect
      .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 30_000, interval: 250 })
      .toBe(sent.size);
  });
});
