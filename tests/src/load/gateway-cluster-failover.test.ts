import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { laneQueueName, RedisKeys } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCluster,
  expectEveryMessageHandledOnce,
  leaseOwners,
  type TestCluster,
} from '../support/cluster.js';
import { logMessageIs, startService } from '../support/services.js';

const shardCount = 12;
const leaseTtlMs = 3_000;

function resumedShards(gateway: ManagedProcess, since: number): number[] {
  return gateway.lines
    .filter(logMessageIs('shard resumed'))
    .map((line) => JSON.parse(line) as { shardId: number; time: number })
    .filter((entry) => entry.time >= since)
    .map((entry) => entry.shardId);
}

// With a job per event, Discord's replay after the takeover is dropped at enqueue by job id; with batched
// jobs it is enqueued again and the workers' dedupe keeps handlers from running twice.
describe.each([
  { jobMaxEvents: 1, mode: 'a job per event' },
  { jobMaxEvents: 100, mode: 'batched jobs' },
])('3 gateway processes sharing 12 shards ($mode)', ({ jobMaxEvents }) => {
  let cluster: TestCluster;
  let gateways: ManagedProcess[];

  beforeAll(async () => {
    cluster = await createTestCluster(`failover-${jobMaxEvents}`, {
      shardCount,
      guildCount: 48,
      maxConcurrency: 4,
      resumeWindowMs: 60_000,
    });
    const env = {
      ...cluster.env,
      WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts',
      GATEWAY_LEASE_TTL_MS: String(leaseTtlMs),
      GATEWAY_JOB_MAX_EVENTS: String(jobMaxEvents),
    };
    cluster.processes.push(await startService('worker', env));
    gateways = [];
    for (let index = 0; index < 3; index += 1) {
      const gateway = await startService('gateway', env, `gateway-${index}`, 60_000);
      gateways.push(gateway);
      cluster.processes.push(gateway);
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('spreads the shards, and resumes a killed process’s shards elsewhere within the lease TTL + 2 s, losing nothing', {
    timeout: 180_000,
  }, async () => {
    const { simulator, probe, keyPrefix } = cluster;
    // Rebalancing hands one shard over per tick until every process holds its fair share.
    await expect
      .poll(
        async () => {
          const counts = new Map<string, number>();
          for (const owner of (await leaseOwners(cluster, shardCount)).values())
            counts.set(owner, (counts.get(owner) ?? 0) + 1);
          return [...counts.values()].sort();
        },
        { timeout: 90_000, interval: 500 },
      )
      .toEqual([4, 4, 4]);
    await expect
      .poll(() => simulator.sessions().filter((session) => session.state === 'connected').length, {
        timeout: 30_000,
      })
      .toBe(shardCount);

    // Job ids stop a replay only while the original job is kept (the events lane keeps the last 1,000
    // completed): at 150/s the takeover window stays well inside that.
    const traffic = simulator.startTraffic({ eventsPerSecond: 150, mix: { MESSAGE_CREATE: 1 } });
    await expect
      .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 10_000 })
      .toBeGreaterThan(100);
    const victim = gateways[0];
    const survivors = gateways.slice(1);
    const victimShards = [...(await leaseOwners(cluster, shardCount))]
      .filter(([, owner]) => owner.includes(`:${victim?.pid}:`))
      .map(([shardId]) => shardId);
    expect(victimShards).toHaveLength(4);
    const identifiesBefore = simulator.stats().identifies;
    const killedAt = Date.now();
    victim?.kill();
    await victim?.exited;

    await expect
      .poll(() => survivors.flatMap((gateway) => resumedShards(gateway, killedAt)).sort((a, b) => a - b), {
        timeout: leaseTtlMs + 10_000,
        interval: 100,
      })
      .toEqual(expect.arrayContaining(victimShards));
    const resumedAt = Math.max(
      ...survivors.flatMap((gateway) =>
        gateway.lines
          .filter(logMessageIs('shard resumed'))
          .map((line) => JSON.parse(line) as { shardId: number; time: number })
          .filter((entry) => entry.time >= killedAt && victimShards.includes(entry.shardId))
          .map((entry) => entry.time),
      ),
    );
    traffic.stop();
    const takeoverMs = resumedAt - killedAt;
    console.log(
      `[measure] failover: ${victimShards.length} shards of a kill -9'd gateway resumed elsewhere ${takeoverMs} ms after the kill (lease TTL ${leaseTtlMs} ms)`,
    );
    expect(takeoverMs).toBeLessThanOrEqual(leaseTtlMs + 2_000);
    expect(simulator.stats().identifies).toBe(identifiesBefore);

    const messages = await expectEveryMessageHandledOnce(cluster);
    if (jobMaxEvents === 1) {
      // BullMQ's event stream: one "added" per message; the replay of what the dead process had already
      // written shows up as "duplicated" and is not enqueued again.
      const stream = await probe.redis.xrange(
        new RedisKeys(keyPrefix).queueKey(laneQueueName('events'), 'events'),
        '-',
        '+',
      );
      const countOf = (event: string) =>
        stream.filter(([, fields]) => fields[fields.indexOf('event') + 1] === event).length;
      console.log(
        `[measure] failover: ${messages} messages sent, ${countOf('added')} jobs added, ${countOf('duplicated')} replayed duplicates dropped at enqueue`,
      );
      expect(countOf('added')).toBe(messages);
    }
    const owners = await leaseOwners(cluster, shardCount);
    expect(owners.size).toBe(shardCount);
    expect([...owners.values()].some((owner) => owner.includes(`:${victim?.pid}:`))).toBe(false);
  });
});
