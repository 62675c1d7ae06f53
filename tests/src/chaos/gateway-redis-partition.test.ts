import { launchApp, type ManagedProcess, waitUntilReady } from '@dgc/dev-tools/supervision';
import { pollUntil } from '@dgc/dev-tools/testing';
import { RedisKeys } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCluster,
  expectEveryMessageHandledOnce,
  leaseOwners,
  type TestCluster,
} from '../support/cluster.js';
import { NetworkNamespace } from '../support/network-namespace.js';
import { freePort, redisUrl, startService } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const shardCount = 2;
const leaseTtlMs = 3_000;

/** Each shard's fencing token: it only grows, by one per lease granted. */
async function fences(cluster: TestCluster): Promise<number[]> {
  const keys = new RedisKeys(cluster.keyPrefix);
  return Promise.all(
    Array.from({ length: shardCount }, async (_, shardId) =>
      Number(await cluster.probe.redis.get(keys.shardLeaseFence(1, shardId))),
    ),
  );
}

describe('a gateway host loses its link to Redis for twice the lease TTL', () => {
  let namespace: NetworkNamespace;
  let redisProxy: TcpProxy;
  let cluster: TestCluster;
  let isolated: ManagedProcess;
  let standby: ManagedProcess;

  beforeAll(async () => {
    // The gateway's host: link 0 reaches Redis (through a proxy in the root namespace, as Redis listens on
    // loopback), link 1 reaches Discord (the simulator listens on the root side of that link).
    namespace = await NetworkNamespace.create('partition', 2);
    const shared = new URL(redisUrl);
    redisProxy = await TcpProxy.start(
      { host: namespace.link(0).hostAddress },
      { host: shared.hostname, port: Number(shared.port || 6379) },
    );
    cluster = await createTestCluster('netns-partition', {
      shardCount,
      guildCount: 12,
      resumeWindowMs: 60_000,
      host: namespace.link(1).hostAddress,
    });
    const env = {
      ...cluster.env,
      WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts',
      GATEWAY_LEASE_TTL_MS: String(leaseTtlMs),
    };
    cluster.processes.push(await startService('worker', env));
    const metricsPort = await freePort();
    isolated = launchApp(
      'gateway',
      {
        ...env,
        REDIS_URL: `redis://${namespace.link(0).hostAddress}:${redisProxy.port}`,
        METRICS_HOST: '0.0.0.0',
        METRICS_PORT: String(metricsPort),
      },
      'gateway-isolated',
      undefined,
      namespace.wrapper,
    );
    cluster.processes.push(isolated);
    await waitUntilReady(
      isolated,
      `http://${namespace.link(1).namespaceAddress}:${metricsPort}/readyz`,
      60_000,
    );
    await pollUntil(
      'the isolated gateway holding every shard',
      30_000,
      async () => {
        const owners = [...(await leaseOwners(cluster, shardCount)).values()];
        return owners.length === shardCount && owners.every((owner) => owner.includes(`:${isolated.pid}:`))
          ? true
          : undefined;
      },
      200,
    );
    // The other gateway, in the root namespace: rebalancing may hand it a shard before the cut.
    standby = await startService('gateway', env, 'gateway-standby');
    cluster.processes.push(standby);
  }, 150_000);

  afterAll(async () => {
    await cluster?.teardown();
    await redisProxy?.stop();
    await namespace?.remove();
  });

  it('the other gateway takes the shards over with new fencing tokens, and not one message is lost or handled twice', {
    timeout: 90_000,
  }, async () => {
    const { simulator, probe, keyPrefix } = cluster;
    const traffic = simulator.startTraffic({ eventsPerSecond: 100, mix: { MESSAGE_CREATE: 1 } });
    try {
      await expect
        .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 20_000 })
        .toBeGreaterThan(100);
      const cutShards = [...(await leaseOwners(cluster, shardCount))]
        .filter(([, owner]) => owner.includes(`:${isolated.pid}:`))
        .map(([shardId]) => shardId);
      expect(cutShards.length).toBeGreaterThan(0);
      const fencesBefore = await fences(cluster);
      await namespace.setLink(0, false);
      const cutAt = Date.now();
      // Within the cut: the leases lapse and the standby holds every shard.
      await expect
        .poll(async () => [...(await leaseOwners(cluster, shardCount)).values()], {
          timeout: 2 * leaseTtlMs,
          interval: 100,
        })
        .toEqual(Array.from({ length: shardCount }, () => expect.stringContaining(`:${standby.pid}:`)));
      const takeoverMs = Date.now() - cutAt;
      const fencesAfter = await fences(cluster);
      for (const shardId of cutShards)
        expect(fencesAfter[shardId], `shard ${shardId}`).toBeGreaterThan(fencesBefore[shardId] ?? 0);
      // The cut lasts twice the lease TTL (the scenario's length, not a wait for something).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2 * leaseTtlMs - (Date.now() - cutAt))));
      await namespace.setLink(0, true);
      console.log(
        `[measure] Redis link of a gateway host cut for ${2 * leaseTtlMs} ms: its ${cutShards.length} shard(s) held by the other gateway ${takeoverMs} ms after the cut (lease TTL ${leaseTtlMs} ms)`,
      );
      // Traffic goes on after the link is back, through whichever gateway holds each shard then.
      const handled = await probe.redis.scard(`${keyPrefix}:flood:messages`);
      await expect
        .poll(() => probe.redis.scard(`${keyPrefix}:flood:messages`), { timeout: 20_000 })
        .toBeGreaterThan(handled + 300);
    } finally {
      traffic.stop();
    }
    await expectEveryMessageHandledOnce(cluster);
    expect(isolated.exitStatus).toBeUndefined();
    expect(standby.exitStatus).toBeUndefined();
  });
});
