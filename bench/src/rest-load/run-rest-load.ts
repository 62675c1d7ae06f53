import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ManagedProcess } from '@dgc/dev-tools/supervision';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { RedisKeys } from '@dgc/shared';
import { Redis } from 'ioredis';
import type { RestLoadProcessSettings } from './rest-load-process.js';

export interface RestLoadOptions {
  processes: number;
  shared: boolean;
  /** Which limit the load presses on: the global one (many channels) or one route bucket (one channel). */
  target: 'global' | 'bucket';
  durationMs: number;
  globalPerSecond: number;
  /** Route bucket under load: limit per window. */
  bucketLimit: number;
  bucketWindowMs: number;
  /** Load offered by all processes together, as multiples of the limits. */
  overload: number;
  redisUrl: string;
  /** Kill -9 one process at this point of the run (ms), to show a dead process leaks no budget. */
  killOneAtMs?: number;
}

export interface RestLoadResult {
  shared: boolean;
  target: 'global' | 'bucket';
  processes: number;
  durationMs: number;
  allowedGlobalPerSecond: number;
  allowedBucketPerSecond: number;
  achievedGlobalPerSecond: number;
  achievedBucketPerSecond: number;
  /** Requests served per second in the second half of the run (after a kill, when one was asked for). */
  achievedPerSecondSecondHalf: number;
  rateLimited: { user: number; global: number; shared: number };
  /** Times a surviving process handed decisions to its local fallback because Redis was late or down. */
  fallbackEntries: number;
}

const token = 'cmVzdC1sb2Fk.rest-load.simulated-token-never-used-on-discord';
const processScript = resolve(import.meta.dirname, 'rest-load-process.ts');

/**
 * Several processes offer `overload` × the global limit (spread over many channels) and × one route
 * bucket's limit (one channel) for `durationMs`, against the simulator; the simulator counts what it
 * served and every 429 by scope.
 */
export async function runRestLoad(options: RestLoadOptions): Promise<RestLoadResult> {
  const simulator = await DiscordSimulator.start({
    token,
    shardCount: 1,
    guildCount: 40,
    seed: 9,
    globalRateLimitPerSecond: options.globalPerSecond,
    routeLimits: {
      getChannel: { limit: 10_000, windowMs: 1_000 },
      createMessage: { limit: options.bucketLimit, windowMs: options.bucketWindowMs },
    },
    dispatchLedgerCapacity: 0,
  });
  const keyPrefix = `rest-load:${randomUUID().slice(0, 8)}`;
  const redis = new Redis(options.redisUrl);
  const processes: ManagedProcess[] = [];
  try {
    const channels = simulator
      .guildsForShard(0, 1)
      .flatMap((guild) => guild.channels.map((channel) => channel.id));
    const [bucketChannel = '', ...spreadChannels] = channels;
    const bucketPerSecond = (options.bucketLimit * 1_000) / options.bucketWindowMs;
    for (let index = 0; index < options.processes; index += 1) {
      const settings: RestLoadProcessSettings = {
        api: simulator.restUrl,
        token,
        shared: options.shared,
        redisUrl: options.redisUrl,
        keyPrefix,
        globalPerSecond: options.globalPerSecond,
        durationMs: options.durationMs,
        spreadPerSecond:
          options.target === 'global' ? (options.globalPerSecond * options.overload) / options.processes : 0,
        spreadChannels,
        bucketPerSecond:
          options.target === 'bucket' ? (bucketPerSecond * options.overload) / options.processes : 0,
        bucketChannel,
      };
      processes.push(
        ManagedProcess.start({
          name: `rest-load-${index}`,
          cwd: process.cwd(),
          args: ['--conditions=source', '--import', 'tsx', processScript, JSON.stringify(settings)],
          env: process.env,
        }),
      );
    }
    await Promise.all(
      processes.map((child) => child.waitForLine((line) => line.includes('"ready"'), 30_000)),
    );
    const started = Date.now();
    if (options.killOneAtMs !== undefined) {
      setTimeout(() => processes[0]?.kill(), options.killOneAtMs);
    }
    const summaries = await Promise.all(
      processes.map((child, index) =>
        index === 0 && options.killOneAtMs !== undefined
          ? child.exited.then(() => '{}')
          : child.waitForLine((line) => line.includes('"outcomes"'), options.durationMs + 60_000),
      ),
    );
    const fallbackEntries = summaries
      .map((line) => (JSON.parse(line) as { outcomes?: { fallback?: number } }).outcomes?.fallback ?? 0)
      .reduce((sum, value) => sum + value, 0);
    const served = simulator.restCalls.filter(
      (call) =>
        call.status < 300 && call.receivedAt >= started && call.receivedAt <= started + options.durationMs,
    );
    const half = started + options.durationMs / 2;
    const seconds = options.durationMs / 1_000;
    return {
      shared: options.shared,
      target: options.target,
      processes: options.processes,
      durationMs: options.durationMs,
      allowedGlobalPerSecond: options.globalPerSecond,
      allowedBucketPerSecond: bucketPerSecond,
      achievedGlobalPerSecond: served.length / seconds,
      achievedBucketPerSecond: served.filter((call) => call.method === 'POST').length / seconds,
      achievedPerSecondSecondHalf: served.filter((call) => call.receivedAt >= half).length / (seconds / 2),
      rateLimited: simulator.stats().rateLimited,
      fallbackEntries,
    };
  } finally {
    await Promise.all(processes.map((child) => child.stop('SIGKILL', 5_000).catch(() => undefined)));
    const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await simulator.stop();
  }
}
