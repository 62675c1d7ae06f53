import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { freePort, startService } from './support/services.js';

/** One series' value from a Prometheus text exposition (the sum over series matching every label). */
function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('/metrics, /healthz and /readyz of real processes under load', () => {
  let cluster: TestCluster;
  let gatewayUrl: string;
  let workerUrl: string;
  let schedulerUrl: string;
  const scrape = async (base: string) => (await fetch(`${base}/metrics`)).text();

  beforeAll(async () => {
    cluster = await createTestCluster('metrics', { guildCount: 12, heartbeatIntervalMs: 1_000 });
    const [gatewayPort, workerPort, schedulerPort] = [await freePort(), await freePort(), await freePort()];
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    workerUrl = `http://127.0.0.1:${workerPort}`;
    schedulerUrl = `http://127.0.0.1:${schedulerPort}`;
    const env = { ...cluster.env, WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts' };
    cluster.processes.push(
      await startService('worker', { ...env, METRICS_PORT: String(workerPort) }),
      await startService('gateway', { ...env, METRICS_PORT: String(gatewayPort) }),
      await startService('scheduler', { ...env, METRICS_PORT: String(schedulerPort) }),
    );
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('answers the probes and exports series that move with the load', { timeout: 90_000 }, async () => {
    const { simulator, probe } = cluster;
    expect((await fetch(`${gatewayUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${workerUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${schedulerUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${schedulerUrl}/readyz`)).status).toBe(200);
    const scheduler = await scrape(schedulerUrl);
    expect(seriesValue(scheduler, 'process_resident_memory_bytes', { role: 'scheduler' })).toBeGreaterThan(0);
    expect(seriesValue(scheduler, 'dgc_tasks')).toBeGreaterThan(0);
    await expect
      .poll(async () => (await fetch(`${gatewayUrl}/readyz`)).status, { timeout: 10_000 })
      .toBe(200);
    expect(await (await fetch(`${workerUrl}/readyz`)).json()).toEqual({ ready: true, failing: [] });

    // Shards: READY, with a heartbeat latency once a heartbeat completed.
    await expect
      .poll(
        async () =>
          seriesValue(await scrape(gatewayUrl), 'dgc_shard_heartbeat_latency_seconds', { shard: '0' }),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(0);
    const gatewayBefore = await scrape(gatewayUrl);
    expect(seriesValue(gatewayBefore, 'dgc_shard_ready', { shard: '0' })).toBe(1);
    expect(seriesValue(gatewayBefore, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(seriesValue(gatewayBefore, 'nodejs_eventloop_lag_p99_seconds')).toBeDefined();

    // Load: events flow, the lag histogram counts them, handled events are counted by type.
    const workerBefore = await scrape(workerUrl);
    const lagCount = (text: string) =>
      seriesValue(text, 'dgc_event_lag_seconds_count', { lane: 'events' }) ?? 0;
    const traffic = simulator.startTraffic({ eventsPerSecond: 200, mix: { MESSAGE_CREATE: 1 } });
    await expect
      .poll(async () => lagCount(await scrape(workerUrl)), { timeout: 10_000 })
      .toBeGreaterThan(lagCount(workerBefore) + 100);
    // Handlers are counted when they end, the lag when they start: a scrape can fall between the two.
    await expect
      .poll(
        async () =>
          seriesValue(await scrape(workerUrl), 'dgc_events_total', {
            event: 'MESSAGE_CREATE',
            outcome: 'handled',
          }),
        { timeout: 10_000 },
      )
      .toBeGreaterThan(100);
    expect(
      seriesValue(await scrape(workerUrl), 'dgc_handler_duration_seconds_count', { event: 'MESSAGE_CREATE' }),
    ).toBeGreaterThan(100);
    expect(
      seriesValue(await scrape(gatewayUrl), 'dgc_gateway_published_events_total', { lane: 'events' }),
    ).toBeGreaterThan(100);

    // Workers paused: the lane's depth rises.
    const depth = async () =>
      seriesValue(await scrape(workerUrl), 'dgc_lane_jobs', { lane: 'events', state: 'waiting' }) ?? 0;
    const depthBefore = await depth();
    await probe.queue('events').pause();
    await expect.poll(depth, { timeout: 10_000, interval: 250 }).toBeGreaterThan(depthBefore + 5);
    await probe.queue('events').resume();
    traffic.stop();

    // A 429 injected by the simulator is counted by scope.
    const rateLimited = async () =>
      seriesValue(await scrape(workerUrl), 'dgc_rest_rate_limited_total', { scope: 'shared' }) ?? 0;
    const before = await rateLimited();
    simulator.faults.addRestFault({
      pathPrefix: '/interactions/',
      kind: 'rateLimit',
      scope: 'shared',
      count: 1,
    });
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    await simulator.waitForInteractionResponse(interaction.id, 15_000);
    await expect.poll(rateLimited, { timeout: 10_000 }).toBe(before + 1);
    expect(
      seriesValue(await scrape(workerUrl), 'dgc_rest_responses_total', { status: '429' }),
    ).toBeGreaterThanOrEqual(1);
  });
});
