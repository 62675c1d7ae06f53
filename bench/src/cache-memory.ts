import { launchApp, launchScript, type ManagedProcess, waitUntilLogged } from '@dgc/dev-tools/supervision';
import { freePort, pollUntil } from '@dgc/dev-tools/testing';
import { RedisKeys } from '@dgc/shared';
import { BenchCluster, percentile } from './harness/bench-cluster.js';
import { type MemoryReading, memoryProbeEnv, memoryReadingOf } from './harness/memory-probe.js';
import { mebibytes, rssBytes } from './harness/process-stats.js';

export type WorldHolder = 'gateway, default cache' | 'gateway, CACHE_ENTITIES=none' | 'discord.js Client';

/** What the RSS held, from inside the process (`process.memoryUsage()`), in MiB. */
export interface MemoryBreakdown {
  rss: number;
  /** V8's heap as reserved: live objects and the garbage not collected yet. */
  heapTotal: number;
  heapUsed: number;
  /** Memory outside V8's heap that JavaScript objects own (Buffers, array buffers included). */
  external: number;
  arrayBuffers: number;
  /** RSS less the heap and external memory: code, stacks, the allocator's own pages. */
  other: number;
}

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
  /** At the highest RSS the process read of itself through the burst. */
  peakBreakdown: MemoryBreakdown | undefined;
  /** Medians over the settled readings. */
  settledBreakdown: MemoryBreakdown | undefined;
}

function breakdownOf(reading: Omit<MemoryReading, 'at'>): MemoryBreakdown {
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = reading;
  return {
    rss: mebibytes(rss),
    heapTotal: mebibytes(heapTotal),
    heapUsed: mebibytes(heapUsed),
    external: mebibytes(external),
    arrayBuffers: mebibytes(arrayBuffers),
    other: mebibytes(rss - heapTotal - external),
  };
}

/** Each figure's median over `readings` (none: undefined). */
function medianBreakdown(readings: readonly MemoryReading[]): MemoryBreakdown | undefined {
  if (readings.length === 0) return undefined;
  const median = (field: keyof Omit<MemoryReading, 'at'>) =>
    percentile(
      readings.map((reading) => reading[field]).sort((left, right) => left - right),
      0.5,
    );
  return breakdownOf({
    rss: median('rss'),
    heapTotal: median('heapTotal'),
    heapUsed: median('heapUsed'),
    external: median('external'),
    arrayBuffers: median('arrayBuffers'),
  });
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
 * and read again once traffic is steady. A probe inside the process reports what the RSS is made of.
 */
export async function worldHolderMemory(
  holder: WorldHolder,
  shardCount: number,
  guildCount: number,
  extraEnv: NodeJS.ProcessEnv = {},
  /** Every other line the process prints (its logs, a --trace-gc of DGC_NODE_FLAGS). */
  onOutput?: (line: string) => void,
): Promise<HolderMemory> {
  const cluster = await BenchCluster.start(
    `cache-memory-${shardCount}-${guildCount}`,
    { shardCount, guildCount, maxConcurrency: 16 },
    { database: false },
  );
  try {
    const startedAt = performance.now();
    const readings: MemoryReading[] = [];
    const onLine = (line: string) => {
      const reading = memoryReadingOf(line);
      if (reading) readings.push(reading);
      else onOutput?.(line);
    };
    let process: ManagedProcess;
    let held: Promise<unknown>;
    if (holder === 'discord.js Client') {
      process = launchScript(
        'bench/src/baselines/discordjs-cache-client.ts',
        { ...cluster.env, ...memoryProbeEnv(), BENCH_GUILD_COUNT: String(guildCount) },
        'discord.js',
        onLine,
      );
      held = waitUntilLogged(process, 'discord.js client holds every guild', 180_000);
    } else {
      process = launchApp(
        'gateway',
        {
          ...cluster.env,
          ...memoryProbeEnv(),
          GATEWAY_EVENTS: 'MESSAGE_CREATE',
          CACHE_ENTITIES: holder === 'gateway, default cache' ? 'guilds,channels,roles' : 'none',
          METRICS_PORT: String(await freePort()),
          ...extraEnv,
        },
        'gateway',
        onLine,
      );
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
    const burstPeak = readings.reduce<MemoryReading | undefined>(
      (highest, reading) => (reading.rss > (highest?.rss ?? -1) ? reading : highest),
      undefined,
    );
    const traffic = cluster.simulator.startTraffic({ eventsPerSecond: 5_000, mix: { MESSAGE_CREATE: 1 } });
    await sleep(1_000);
    const settledFrom = performance.now();
    const rssReadings: number[] = [];
    for (let reading = 0; reading < 20; reading += 1) {
      rssReadings.push(await sample());
      await sleep(100);
    }
    const settledTo = performance.now();
    traffic.stop();
    return {
      holder,
      shardCount,
      guildCount,
      peakMiB: mebibytes(peak),
      settledMiB: mebibytes(
        percentile(
          rssReadings.sort((left, right) => left - right),
          0.5,
        ),
      ),
      burstMs: Math.round(burstMs),
      peakBreakdown: burstPeak && breakdownOf(burstPeak),
      settledBreakdown: medianBreakdown(readings.filter(({ at }) => at >= settledFrom && at <= settledTo)),
    };
  } finally {
    await cluster.close();
  }
}
