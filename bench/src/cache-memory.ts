import { launchApp, launchScript, type ManagedProcess, waitUntilLogged } from '@dgc/dev-tools/supervision';
import { freePort, pollUntil } from '@dgc/dev-tools/testing';
import { RedisKeys } from '@dgc/shared';
import { BenchCluster, percentile } from './harness/bench-cluster.js';
import { mebibytes, rssBytes } from './harness/process-stats.js';

export type WorldHolder = 'gateway, default cache' | 'gateway, CACHE_ENTITIES=none' | 'discord.js Client';

export interface HolderMemory {
  holder: WorldHolder;
  shardCount: number;
  guildCount: number;
  /** Highest RSS sampled from launch until the whole world was held. */
  peakMiB: number;
  /** Median RSS over 2 s of MESSAGE_CREATE traffic (5,000/s) after that, 1 s of warm-up first. */
  settledMiB: number;
  /** Launch → the whole world held. */
  burstMs: number;
}

/** The sum of the shards' stored sequences: READY and every GUILD_CREATE once each shard has them all. */
async function storedSequences(cluster: BenchCluster, shardCount: number): Promise<number> {
  const keys = new RedisKeys(cluster.keyPrefix);
  const pipeline = cluster.redis.pipeline();
  for (let shardId = 0; shardId < shardCount; shardId += 1)
    pipeline.hget(keys.shardSession(1, shardId), 'sequence');
  return ((await pipeline.exec()) ?? []).reduce((sum, [, value]) => sum + Number(value ?? 0), 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One process holding the simulator's world of `shardCount` shards and `guildCount` guilds: the project's
 * gateway (no workers) with its state cache on or off, or a discord.js `Client` with its default caches.
 * Its RSS is sampled every 50 ms through the GUILD_CREATE burst — for the gateway, "held" means every
 * shard's stored sequence covers its READY and GUILD_CREATEs, which moves only once the cache has them —
 * and read again once traffic is steady.
 */
export async function worldHolderMemory(
  holder: WorldHolder,
  shardCount: number,
  guildCount: number,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<HolderMemory> {
  const cluster = await BenchCluster.start(
    `cache-memory-${shardCount}-${guildCount}`,
    { shardCount, guildCount, maxConcurrency: 16 },
    { database: false },
  );
  try {
    const startedAt = performance.now();
    let process: ManagedProcess;
    let held: Promise<unknown>;
    if (holder === 'discord.js Client') {
      process = launchScript(
        'bench/src/baselines/discordjs-cache-client.ts',
        { ...cluster.env, BENCH_GUILD_COUNT: String(guildCount) },
        'discord.js',
      );
      held = waitUntilLogged(process, 'discord.js client holds every guild', 180_000);
    } else {
      process = launchApp('gateway', {
        ...cluster.env,
        GATEWAY_EVENTS: 'MESSAGE_CREATE',
        CACHE_ENTITIES: holder === 'gateway, default cache' ? 'guilds,channels,roles' : 'none',
        METRICS_PORT: String(await freePort()),
        ...extraEnv,
      });
      held = pollUntil('every GUILD_CREATE applied', 180_000, async () =>
        (await storedSequences(cluster, shardCount)) >= guildCount + shardCount ? true : undefined,
      );
    }
    cluster.processes.push(process);
    let peak = 0;
    const sample = async () => {
      const bytes = await rssBytes(process.pid ?? 0).catch(() => 0);
      peak = Math.max(peak, bytes);
      return bytes;
    };
    const sampler = setInterval(() => void sample(), 50);
    try {
      await held;
    } finally {
      clearInterval(sampler);
    }
    const burstMs = performance.now() - startedAt;
    const traffic = cluster.simulator.startTraffic({ eventsPerSecond: 5_000, mix: { MESSAGE_CREATE: 1 } });
    await sleep(1_000);
    const readings: number[] = [];
    for (let reading = 0; reading < 20; reading += 1) {
      readings.push(await sample());
      await sleep(100);
    }
    traffic.stop();
    return {
      holder,
      shardCount,
      guildCount,
      peakMiB: mebibytes(peak),
      settledMiB: mebibytes(
        percentile(
          readings.sort((left, right) => left - right),
          0.5,
        ),
      ),
      burstMs: Math.round(burstMs),
    };
  } finally {
    await cluster.close();
  }
}
