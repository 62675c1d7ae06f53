import { stateMutationKinds } from '@dgc/discord-simulator';
import { RedisKeys } from '@dgc/shared';
import { cacheRedisBytes } from './cache-bytes.js';
import { type HolderMemory, type WorldHolder, worldHolderMemory } from './cache-memory.js';
import { BenchCluster } from './harness/bench-cluster.js';
import { cpuSeconds } from './harness/process-stats.js';

const ingestShards = 4;
const ingestGuilds = 400;
const messages = 45_000;
const messagesPerSecond = 15_000;
/** State changes offered beside the messages: one in ten events changes the cache. */
const messagesPerMutation = 10;

async function storedSequences(cluster: BenchCluster): Promise<number> {
  const keys = new RedisKeys(cluster.keyPrefix);
  const pipeline = cluster.redis.pipeline();
  for (let shardId = 0; shardId < ingestShards; shardId += 1)
    pipeline.hget(keys.shardSession(1, shardId), 'sequence');
  return ((await pipeline.exec()) ?? []).reduce((sum, [, value]) => sum + Number(value ?? 0), 0);
}

/**
 * simulator → one gateway (4 shards) → the events lane, every event forwarded: MESSAGE_CREATE at 15,000/s
 * with one guild, channel, role or member change per nine messages sent, with the state cache on (default entities) or off.
 * Timed from the first event sent until every shard's stored sequence covers every event, which moves only
 * once each event is in its lane and, with the cache on, in the cache too.
 */
export async function runCacheIngest(cacheEntities: 'guilds,channels,roles' | 'none') {
  const cluster = await BenchCluster.start(
    `cache-ingest-${cacheEntities === 'none' ? 'off' : 'on'}`,
    { shardCount: ingestShards, guildCount: ingestGuilds },
    { database: false },
  );
  try {
    const gateway = await cluster.startApp('gateway', {
      GATEWAY_EVENTS: ['MESSAGE_CREATE', ...stateMutationKinds].join(','),
      GATEWAY_SHED_HIGH_WATER_MARK: String(messages * 10),
      CACHE_ENTITIES: cacheEntities,
    });
    const pid = gateway.pid ?? 0;
    await cluster.redis.ping();
    const before = await (async () => {
      // The start-up burst first: READY and every GUILD_CREATE stored.
      for (;;) {
        const stored = await storedSequences(cluster);
        if (stored >= ingestGuilds + ingestShards) return stored;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const dispatchesBefore = cluster.simulator.stats().dispatches;
    const cpuBefore = await cpuSeconds(pid);
    const startedAt = performance.now();
    const traffic = cluster.simulator.startTraffic({
      eventsPerSecond: messagesPerSecond,
      mix: { MESSAGE_CREATE: 1 },
    });
    let mutations = 0;
    // One state change per nine messages actually sent (a busy machine delays the simulator's messages
    // and these ticks alike): each tick catches up with the messages sent so far.
    const mutationTimer = setInterval(() => {
      const sentMessages = cluster.simulator.stats().dispatches - dispatchesBefore - mutations;
      const due = Math.floor(sentMessages / (messagesPerMutation - 1));
      if (due > mutations) cluster.simulator.mutateState(due - mutations);
      mutations = Math.max(mutations, due);
    }, 10);
    await new Promise((resolve) => setTimeout(resolve, (messages / messagesPerSecond) * 1_000));
    clearInterval(mutationTimer);
    traffic.stop();
    const sent = cluster.simulator.stats().dispatches - dispatchesBefore;
    const deadline = performance.now() + 120_000;
    while ((await storedSequences(cluster)) < before + sent) {
      if (performance.now() > deadline)
        throw new Error(`stored ${await storedSequences(cluster)} of ${before + sent}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - startedAt) / 1_000;
    return {
      cacheEntities,
      events: sent,
      stateChangesOffered: mutations,
      perSecond: sent / seconds,
      gatewayCpuSecondsPer100k: (((await cpuSeconds(pid)) - cpuBefore) / sent) * 100_000,
    };
  } finally {
    await cluster.close();
  }
}

const holders: WorldHolder[] = [
  'gateway, default cache',
  'gateway, CACHE_ENTITIES=none',
  'discord.js Client',
];
const memoryShards = 16;
export const memoryGuildCounts = [1_000, 16_000] as const;

/** The `cache` scenario: ingest with the cache on against off, Redis bytes, and who holds the world in how much memory. */
export async function runCacheScenario() {
  const ingestOn = await runCacheIngest('guilds,channels,roles');
  const ingestOff = await runCacheIngest('none');
  const bytes = await cacheRedisBytes();
  const memory: HolderMemory[] = [];
  for (const guildCount of memoryGuildCounts)
    for (const holder of holders) memory.push(await worldHolderMemory(holder, memoryShards, guildCount));
  const growth = Object.fromEntries(
    holders.map((holder) => {
      const [small, large] = memoryGuildCounts.map((guildCount) =>
        memory.find((run) => run.holder === holder && run.guildCount === guildCount),
      );
      const growth = (field: 'peakMiB' | 'settledMiB') =>
        Math.round(((large?.[field] ?? 0) - (small?.[field] ?? 0)) * 10) / 10;
      return [holder, { peakGrowthMiB: growth('peakMiB'), settledGrowthMiB: growth('settledMiB') }];
    }),
  );
  return {
    ingest: {
      on: ingestOn,
      off: ingestOff,
      ratio: ingestOn.perSecond / ingestOff.perSecond,
      // On a shared machine the simulator's own pace can bound both runs: the CPU each event costs the
      // gateway is the capacity ratio that holds.
      cpuRatio: ingestOff.gatewayCpuSecondsPer100k / ingestOn.gatewayCpuSecondsPer100k,
    },
    bytes,
    memory,
    growth,
  };
}
