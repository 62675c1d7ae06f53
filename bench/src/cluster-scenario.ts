import { logMessageIs, type ManagedProcess } from '@dgc/dev-tools/supervision';
import { pollUntil } from '@dgc/dev-tools/testing';
import { RedisKeys } from '@dgc/shared';
import { BenchCluster, percentile } from './harness/bench-cluster.js';
import { mebibytes, rssBytes } from './harness/process-stats.js';

const leaseTtlMs = 3_000;
// No worker runs in these scenarios: the gateways are told what to forward.
const forwardMessages = { GATEWAY_EVENTS: 'MESSAGE_CREATE' };

/** Shard ids a process has logged `message` for since `since` (epoch ms). */
function shardsLogged(processes: readonly ManagedProcess[], message: string, since = 0): Map<number, number> {
  const at = new Map<number, number>();
  for (const service of processes) {
    for (const line of service.lines.filter(logMessageIs(message))) {
      const entry = JSON.parse(line) as { shardId: number; time: number };
      if (entry.time >= since && !at.has(entry.shardId)) at.set(entry.shardId, entry.time);
    }
  }
  return at;
}

/**
 * 3 gateway processes share 12 shards; `kill -9` of one: ms until every shard it held has resumed in
 * another process (lease TTL 3 s), while 500 MESSAGE_CREATE/s flow.
 */
export async function runFailover() {
  const shardCount = 12;
  const cluster = await BenchCluster.start(
    'failover',
    { shardCount, guildCount: 48, maxConcurrency: 4, resumeWindowMs: 60_000 },
    { database: false },
  );
  try {
    const env = { ...forwardMessages, GATEWAY_LEASE_TTL_MS: String(leaseTtlMs) };
    const gateways: ManagedProcess[] = [];
    for (const index of [0, 1, 2]) gateways.push(await cluster.startApp('gateway', env, `gateway-${index}`));
    const owners = async () => {
      const pipeline = cluster.redis.pipeline();
      for (let shardId = 0; shardId < shardCount; shardId += 1) {
        pipeline.hget(new RedisKeys(cluster.keyPrefix).shardLease(1, shardId), 'owner');
      }
      return ((await pipeline.exec()) ?? []).map(([, owner]) => (typeof owner === 'string' ? owner : ''));
    };
    const [victim, ...survivors] = gateways as [ManagedProcess, ...ManagedProcess[]];
    // Rebalancing hands shards over one per tick until each process holds its share.
    const victimShards = await pollUntil('shards spread over 3 processes', 90_000, async () => {
      const current = await owners();
      const held = current.flatMap((owner, shardId) => (owner.includes(`:${victim.pid}:`) ? [shardId] : []));
      const perOwner = new Map<string, number>();
      for (const owner of current) perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
      return perOwner.size === 3 && [...perOwner.values()].every((count) => count === 4) ? held : undefined;
    });
    const traffic = cluster.simulator.startTraffic({ eventsPerSecond: 500, mix: { MESSAGE_CREATE: 1 } });
    const identifiesBefore = cluster.simulator.stats().identifies;
    const killedAt = Date.now();
    victim.kill();
    const resumedAt = await pollUntil('the killed process’s shards resumed elsewhere', 60_000, () => {
      const resumed = shardsLogged(survivors, 'shard resumed', killedAt);
      return victimShards.every((shardId) => resumed.has(shardId))
        ? Math.max(...victimShards.map((shardId) => resumed.get(shardId) ?? 0))
        : undefined;
    });
    traffic.stop();
    return {
      shards: victimShards.length,
      leaseTtlMs,
      failoverMs: resumedAt - killedAt,
      identifiesSpent: cluster.simulator.stats().identifies - identifiesBefore,
    };
  } finally {
    await cluster.close();
  }
}

/** 64 shards at max_concurrency 16, 4 gateway processes started together: ms until every shard is READY. */
export async function runStartup() {
  const shardCount = 64;
  const maxConcurrency = 16;
  const cluster = await BenchCluster.start(
    'startup',
    { shardCount, guildCount: 128, maxConcurrency },
    { database: false },
  );
  try {
    let firstIdentifyAt: number | undefined;
    cluster.simulator.once('identify', () => {
      firstIdentifyAt = Date.now();
    });
    const startedAt = Date.now();
    const gateways = [0, 1, 2, 3].map((index) =>
      cluster.launchApp('gateway', { ...forwardMessages, GATEWAY_SHARD_CAPACITY: '16' }, `gateway-${index}`),
    );
    const readyAt = await pollUntil('64 shards READY', 120_000, () => {
      const ready = shardsLogged(gateways, 'shard READY');
      return ready.size === shardCount ? Math.max(...ready.values()) : undefined;
    });
    const theoreticalMs = (shardCount / maxConcurrency - 1) * 5_000;
    return {
      shardCount,
      maxConcurrency,
      processes: gateways.length,
      readyMs: readyAt - startedAt,
      // Process start-up (node, module loading, Redis, GET /gateway/bot) is not the identify schedule's.
      readyAfterFirstIdentifyMs: readyAt - (firstIdentifyAt ?? startedAt),
      theoreticalMinimumMs: theoreticalMs,
      identifyConcurrencyViolations: cluster.simulator.stats().identifyConcurrencyViolations,
    };
  } finally {
    await cluster.close();
  }
}

/** A gateway's RSS after it forwarded 5,000 events, for a given number of shards and guilds. */
async function gatewayRss(shardCount: number, guildCount: number): Promise<number> {
  const cluster = await BenchCluster.start(
    `memory-${shardCount}-${guildCount}`,
    { shardCount, guildCount, maxConcurrency: 16 },
    {
      database: false,
    },
  );
  try {
    const gateway = await cluster.startApp('gateway', forwardMessages);
    const traffic = cluster.simulator.startTraffic({ eventsPerSecond: 5_000, mix: { MESSAGE_CREATE: 1 } });
    // RSS moves with every collection (one reading at 16,000 guilds came out at half the 1,000-guild one):
    // the median of readings over 2 s of steady traffic, after 1 s of warm-up, is what the process holds.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const readings: number[] = [];
    for (let reading = 0; reading < 20; reading += 1) {
      readings.push(await rssBytes(gateway.pid ?? 0));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    traffic.stop();
    return percentile(
      readings.sort((left, right) => left - right),
      0.5,
    );
  } finally {
    await cluster.close();
  }
}

/** Gateway memory per shard and per 1,000 guilds, from three gateways differing in one dimension each. */
export async function runGatewayMemory() {
  const base = await gatewayRss(4, 1_000);
  const moreShards = await gatewayRss(16, 1_000);
  const moreGuilds = await gatewayRss(16, 16_000);
  return {
    rssMiB: {
      '4 shards, 1,000 guilds': mebibytes(base),
      '16 shards, 1,000 guilds': mebibytes(moreShards),
      '16 shards, 16,000 guilds': mebibytes(moreGuilds),
    },
    perShardMiB: mebibytes((moreShards - base) / 12),
    per1000GuildsMiB: mebibytes((moreGuilds - moreShards) / 15),
  };
}
