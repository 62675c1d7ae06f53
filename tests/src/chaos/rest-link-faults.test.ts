import { setTimeout as pace } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { startService } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const latencyMs = 200;
/** Discord's window for the first answer to an interaction. */
const interactionWindowMs = 3_000;
/** Each REST attempt's timeout: a stalled connection costs one of these, then a retry on a fresh one. */
const restTimeoutMs = 1_000;

describe('200 ms of latency, stalled and dropped connections between the workers and Discord', () => {
  let cluster: TestCluster;
  let proxy: TcpProxy;

  beforeAll(async () => {
    cluster = await createTestCluster('rest-link-faults', { guildCount: 12 });
    proxy = await TcpProxy.start({ host: '127.0.0.1' }, { host: '127.0.0.1', port: cluster.simulator.port });
    proxy.latencyMs = latencyMs;
    const workerEnv = {
      ...cluster.env,
      DISCORD_API_URL: `http://127.0.0.1:${proxy.port}/api`,
      DISCORD_REST_TIMEOUT_MS: String(restTimeoutMs),
    };
    for (const name of ['worker-1', 'worker-2']) {
      cluster.processes.push(await startService('worker', workerEnv, name));
    }
    cluster.processes.push(await startService('gateway', cluster.env));
  }, 120_000);

  afterAll(async () => {
    await cluster?.teardown();
    await proxy?.stop();
  });

  it('answers every interaction inside Discord’s 3 s window with no 429 but shared ones', {
    timeout: 90_000,
  }, async () => {
    const { simulator } = cluster;
    const injected: { id: string; at: number }[] = [];
    const traffic = simulator.startTraffic({ eventsPerSecond: 50, mix: { MESSAGE_CREATE: 1 } });
    // The scenario (its length is what is tested, not a wait): a /ping every 200 ms for 15 s, with
    // faults on the REST link at fixed points.
    const faults = new Map<number, () => void>([
      [15, () => proxy.stallOpenConnections(4_000)],
      [40, () => proxy.dropConnections()],
      [55, () => proxy.stallOpenConnections(2_000)],
      [65, () => proxy.dropConnections()],
    ]);
    let stalledConnections = 0;
    try {
      for (let tick = 0; tick < 75; tick += 1) {
        const fault = faults.get(tick);
        if (fault) {
          const before = proxy.openConnections;
          fault();
          stalledConnections += before;
        }
        injected.push({ id: simulator.injectInteraction({ commandName: 'ping' }).id, at: Date.now() });
        await pace(200);
      }
    } finally {
      traffic.stop();
    }
    expect(stalledConnections).toBeGreaterThan(0);

    const answeredAt = (id: string) =>
      simulator.restCalls.find(
        (call) => call.route === `/interactions/${id}/:token/callback` && call.status === 204,
      )?.receivedAt;
    await expect
      .poll(() => injected.filter(({ id }) => answeredAt(id) !== undefined).length, {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(injected.length);
    const answerMs = injected.map(({ id, at }) => (answeredAt(id) ?? Number.POSITIVE_INFINITY) - at);
    const sorted = [...answerMs].sort((a, b) => a - b);
    console.log(
      `[measure] REST link with ${latencyMs} ms latency, 2 stalls and 2 drops: ${injected.length} interactions answered, median ${sorted[Math.floor(sorted.length / 2)]} ms, slowest ${sorted.at(-1)} ms after injection`,
    );
    expect(answerMs.filter((ms) => ms >= interactionWindowMs)).toEqual([]);
    const { rateLimited } = simulator.stats();
    expect({ user: rateLimited.user, global: rateLimited.global }).toEqual({ user: 0, global: 0 });
  });
});
