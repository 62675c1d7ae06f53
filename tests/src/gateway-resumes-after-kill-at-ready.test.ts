import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, expectEveryMessageHandledOnce, type TestCluster } from './support/cluster.js';
import { launchService, logMessageIs, startService } from './support/services.js';

/**
 * A gateway killed with -9 just after its shard's READY, under steady traffic: the session must already be
 * in Redis, so the next owner RESUMES it and Discord replays every message sent meanwhile. Sessions used
 * to reach Redis only at the periodic flush (every 250 ms): a kill before it left nothing to resume, the
 * next owner identified a new session, and the messages the old one carried after the kill were lost.
 */
describe('a gateway killed right after READY', () => {
  let cluster: TestCluster;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // One shard: its READY is the one the kill follows (with several, earlier ones had time to flush).
    cluster = await createTestCluster('ready-kill', { shardCount: 1, guildCount: 6, resumeWindowMs: 60_000 });
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

  it('leaves a session the next owner resumes: no identify, no message lost', {
    timeout: 90_000,
  }, async () => {
    const { simulator } = cluster;
    const traffic = simulator.startTraffic({ eventsPerSecond: 400, mix: { MESSAGE_CREATE: 1 } });
    const first = launchService('gateway', env, 'gateway-1');
    cluster.processes.push(first);
    await first.waitForLine(logMessageIs('shard READY'), 30_000);
    first.kill(); // SIGKILL, as soon as the READY is logged: well inside the 250 ms flush period
    const killedAt = Date.now();
    await first.exited;
    const identifiesBefore = simulator.stats().identifies;
    const readyLine = JSON.parse(first.lines.find(logMessageIs('shard READY')) ?? '{}') as { time?: number };

    // The next owner either resumes the killed session or (without a stored session) identifies a new one.
    const outcome = new Promise<'resumed' | 'identified'>((resolve) => {
      simulator.once('resumed', () => resolve('resumed'));
      simulator.once('identify', () => resolve('identified'));
    });
    const second = await startService('gateway', env, 'gateway-2');
    cluster.processes.push(second);
    expect(await outcome).toBe('resumed');
    await second.waitForLine(logMessageIs('shard resumed'), 10_000);
    // Messages keep flowing on the resumed session for a moment before the count is taken.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    traffic.stop();

    expect(simulator.stats().identifies).toBe(identifiesBefore);
    const handled = await expectEveryMessageHandledOnce(cluster);
    console.log(
      `[measure] kill -9 ${killedAt - (readyLine.time ?? killedAt)} ms after READY: the next owner resumed; ${handled} messages, each handled once`,
    );
  });
});
