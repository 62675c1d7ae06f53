import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { RedisKeys } from '@dgc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestCluster,
  expectEveryMessageHandledOnce,
  leaseOwners,
  type TestCluster,
} from '../support/cluster.js';
import { freePort, launchService, logMessageIs, startService } from '../support/services.js';

const leaseTtlMs = 3_000;

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.teardown();
  cluster = undefined;
});

const shardsOf = (owners: Map<number, string>, gateway: ManagedProcess) =>
  [...owners].filter(([, owner]) => owner.includes(`:${gateway.pid}:`)).map(([shardId]) => shardId);

function loggedShards(gateway: ManagedProcess, message: string, since = 0): number[] {
  return gateway.lines
    .filter(logMessageIs(message))
    .map((line) => JSON.parse(line) as { shardId: number; time: number })
    .filter((entry) => entry.time >= since)
    .map((entry) => entry.shardId);
}

/**
 * A cluster of `shardCount` shards (resumable for a minute, every bucket identifying at once) with a worker
 * running the flood bot, and the environment its gateways start with.
 */
async function floodCluster(label: string, shardCount: number) {
  const current = await createTestCluster(label, {
    shardCount,
    guildCount: shardCount * 4,
    maxConcurrency: shardCount,
    resumeWindowMs: 60_000,
  });
  const env = {
    ...current.env,
    WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts',
    GATEWAY_LEASE_TTL_MS: String(leaseTtlMs),
  };
  // Set before the worker starts, so teardown stops whatever was started.
  cluster = current;
  current.processes.push(await startService('worker', env));
  return { current, env, simulator: current.simulator };
}

describe('gateway cluster operations', () => {
  it('starts 64 shards at max_concurrency 16 from 4 processes within (64/16 − 1) × 5 s + 2 s, with no identify-concurrency violation', {
    timeout: 120_000,
  }, async () => {
    cluster = await createTestCluster('startup-64', { shardCount: 64, guildCount: 128, maxConcurrency: 16 });
    const { simulator } = cluster;
    let firstIdentifyAt: number | undefined;
    simulator.once('identify', () => {
      firstIdentifyAt = Date.now();
    });
    const spawnedAt = Date.now();
    const gateways = [0, 1, 2, 3].map((index) =>
      launchService(
        'gateway',
        { ...cluster?.env, GATEWAY_EVENTS: 'MESSAGE_CREATE', GATEWAY_SHARD_CAPACITY: '16' },
        `gateway-${index}`,
      ),
    );
    cluster.processes.push(...gateways);
    await expect
      .poll(() => new Set(gateways.flatMap((gateway) => loggedShards(gateway, 'shard READY'))).size, {
        timeout: 90_000,
        interval: 100,
      })
      .toBe(64);
    const readyAt = Math.max(
      ...gateways.flatMap((gateway) =>
        gateway.lines
          .filter(logMessageIs('shard READY'))
          .map((line) => (JSON.parse(line) as { time: number }).time),
      ),
    );
    const fromFirstIdentify = readyAt - (firstIdentifyAt ?? spawnedAt);
    console.log(
      `[measure] start-up: 64 shards READY ${fromFirstIdentify} ms after the first IDENTIFY (${readyAt - spawnedAt} ms after the 4 processes were spawned); ${simulator.stats().identifyConcurrencyViolations} concurrency violations`,
    );
    expect(simulator.stats().identifyConcurrencyViolations).toBe(0);
    expect(simulator.stats().identifies).toBe(64);
    // The identify schedule's own figure: process start-up (node, modules, Redis, GET /gateway/bot) is not.
    expect(fromFirstIdentify).toBeLessThanOrEqual((64 / 16 - 1) * 5_000 + 2_000);
  });

  it('rolls every gateway process (SIGTERM after its replacement started) while events flow: nothing lost, nothing handled twice, no identify spent', {
    timeout: 180_000,
  }, async () => {
    const shardCount = 6;
    const { current, env, simulator } = await floodCluster('rolling', shardCount);
    let gateways: ManagedProcess[] = [];
    for (const index of [0, 1, 2]) {
      const gateway = await startService('gateway', env, `gateway-${index}`, 60_000);
      gateways.push(gateway);
      current.processes.push(gateway);
    }
    const spread = async () => {
      const owners = await leaseOwners(current, shardCount);
      return gateways.map((gateway) => shardsOf(owners, gateway).length).sort();
    };
    await expect.poll(spread, { timeout: 60_000, interval: 250 }).toEqual([2, 2, 2]);
    const identifiesBefore = simulator.stats().identifies;
    const traffic = simulator.startTraffic({ eventsPerSecond: 300, mix: { MESSAGE_CREATE: 1 } });
    const exits: (number | null)[] = [];
    for (const index of [0, 1, 2]) {
      const replacement = await startService('gateway', env, `gateway-new-${index}`, 60_000);
      current.processes.push(replacement);
      const old = gateways[0] as ManagedProcess;
      gateways = [...gateways.slice(1), replacement];
      exits.push((await old.stop('SIGTERM', 30_000)).code);
      // The old process's shards are resumed by the others, and the new one gets its share.
      await expect.poll(spread, { timeout: 60_000, interval: 250 }).toEqual([2, 2, 2]);
    }
    traffic.stop();
    await expect
      .poll(() => simulator.sessions().filter((session) => session.state === 'connected').length, {
        timeout: 30_000,
      })
      .toBe(shardCount);
    const messages = await expectEveryMessageHandledOnce(current);
    console.log(
      `[measure] rolling restart of 3 gateways: ${messages} messages, all handled once; identifies spent ${simulator.stats().identifies - identifiesBefore}; exits ${exits.join(', ')}`,
    );
    expect(exits).toEqual([0, 0, 0]);
    expect(simulator.stats().identifies).toBe(identifiesBefore);
  });

  it('fences a process paused past its lease: once resumed it stops the shards another took over and writes none of their events', {
    timeout: 120_000,
  }, async () => {
    const shardCount = 4;
    const { current, env, simulator } = await floodCluster('fencing', shardCount);
    const paused = await startService('gateway', env, 'gateway-paused', 60_000);
    const other = await startService('gateway', env, 'gateway-other', 60_000);
    current.processes.push(paused, other);
    await expect
      .poll(async () => shardsOf(await leaseOwners(current, shardCount), other).length, { timeout: 60_000 })
      .toBe(2);
    const pausedShards = shardsOf(await leaseOwners(current, shardCount), paused);
    expect(pausedShards).toHaveLength(2);
    const traffic = simulator.startTraffic({ eventsPerSecond: 200, mix: { MESSAGE_CREATE: 1 } });
    await expect
      .poll(() => current.probe.redis.scard(`${current.keyPrefix}:flood:messages`), { timeout: 10_000 })
      .toBeGreaterThan(50);

    const pausedAt = Date.now();
    paused.signal('SIGSTOP');
    // Past its TTL the other process takes the shards over and resumes them.
    await expect
      .poll(() => loggedShards(other, 'shard resumed', pausedAt).sort(), { timeout: leaseTtlMs + 15_000 })
      .toEqual(expect.arrayContaining(pausedShards));
    // Events kept flowing to the paused process's stale sockets meanwhile.
    const continuedAt = Date.now();
    paused.signal('SIGCONT');
    await expect
      .poll(() => loggedShards(paused, 'lost the lease of a shard; stopping it', continuedAt).sort(), {
        timeout: 10_000,
      })
      .toEqual(pausedShards.sort());
    traffic.stop();
    const messages = await expectEveryMessageHandledOnce(current);
    // Dispatches its stale sockets still delivered once it ran again are dropped and reported, not written.
    // How many depends on timing: the lost shards' stops start together, and a closed socket delivers
    // nothing more, so none may reach the router at all. What counts is asserted above: no event of those
    // shards was written by it (each message handled once, by the new owner's resume).
    const droppedLine = paused.lines.find(
      logMessageIs(
        'dropped dispatches of shards whose lease this process lost (their next owner resumes them)',
      ),
    );
    const dropped = droppedLine ? (JSON.parse(droppedLine) as { dropped: number }).dropped : 0;
    console.log(
      `[measure] fencing: paused ${continuedAt - pausedAt} ms (TTL ${leaseTtlMs} ms); once resumed it dropped ${dropped} dispatches of its lost shards; ${messages} messages handled once`,
    );
    // Afterwards the two processes share the shards again (rebalancing may hand some back), one connection
    // per shard.
    await expect
      .poll(() => simulator.sessions().filter((session) => session.state === 'connected').length, {
        timeout: 30_000,
      })
      .toBe(shardCount);
  });

  it('refuses to identify with no session starts left: logs why, says so in Redis, does not loop or count as stuck, stays probe-alive and stops at once', {
    timeout: 60_000,
  }, async () => {
    cluster = await createTestCluster('budget', {
      shardCount: 2,
      guildCount: 4,
      sessionStartLimit: { total: 1_000, remaining: 0, resetAfterMs: 3_600_000 },
    });
    const { simulator, probe, keyPrefix } = cluster;
    const metricsPort = await freePort();
    const gateway = launchService(
      'gateway',
      {
        ...cluster.env,
        GATEWAY_EVENTS: 'MESSAGE_CREATE',
        METRICS_PORT: String(metricsPort),
        // Far shorter than the wait below: a shard waiting for its identify turn must not count as stuck.
        GATEWAY_WATCHDOG_STUCK_MS: '500',
      },
      'gateway',
    );
    cluster.processes.push(gateway);
    // Each of the two shards says so once.
    const budgetErrors = () =>
      gateway.lines.filter(logMessageIs('no session starts left today: identifies wait for Discord’s reset'));
    await expect.poll(() => budgetErrors().length, { timeout: 30_000 }).toBe(2);
    await expect
      .poll(() => probe.redis.hget(new RedisKeys(keyPrefix).identifyBudgetExhausted(), 'remaining'), {
        timeout: 10_000,
      })
      .toBe('0');
    // Watch it for a while: the process stays up, the simulator sees no IDENTIFY, the error is not repeated
    // in a loop, and GET /gateway/bot is not hammered.
    const linesBefore = gateway.lines.length;
    const restCallsBefore = simulator.restCalls.length;
    // An observation window, not a synchronisation: a loop would show within it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(gateway.exitStatus).toBeUndefined();
    expect(simulator.stats().identifies).toBe(0);
    const errors = gateway.lines
      .slice(linesBefore)
      .filter(logMessageIs('no session starts left today: identifies wait for Discord’s reset'));
    expect(errors).toHaveLength(0);
    // Reconnecting a queued shard would only send it to the back of the identify queue.
    expect(gateway.lines.filter(logMessageIs('shard watchdog: reconnecting the shard'))).toEqual([]);
    expect(simulator.restCalls.length - restCallsBefore).toBeLessThanOrEqual(2);
    const state = await probe.redis.hgetall(new RedisKeys(keyPrefix).identifyBudgetExhausted());
    expect(Number(state.resetAt)).toBeGreaterThan(Date.now() + 3_000_000);

    // Its start is not over (no shard can connect), yet a liveness probe finds it alive and a readiness
    // probe finds it not ready: a probe that found nothing would restart it in a loop.
    const probeStatus = async (path: string) =>
      (await fetch(`http://127.0.0.1:${metricsPort}${path}`, { signal: AbortSignal.timeout(5_000) })).status;
    expect(await probeStatus('/healthz')).toBe(200);
    expect(await probeStatus('/readyz')).toBe(503);
    // A rollout's SIGTERM hands the waiting shards over at once instead of waiting for a start that cannot
    // end: a clean exit, well inside Kubernetes' default 30 s grace period.
    const stopAskedAt = Date.now();
    const exit = await gateway.stop('SIGTERM', 25_000);
    const stopMs = Date.now() - stopAskedAt;
    console.log(`[measure] no session starts left: SIGTERM to exit ${stopMs} ms, code ${exit.code}`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(gateway.lines.some(logMessageIs('stop asked for before every shard connected'))).toBe(true);
  });
});
