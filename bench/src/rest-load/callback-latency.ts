import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { createRateLimitedRest } from '@dgc/rest';
import { RedisKeys } from '@dgc/shared';
import { InteractionResponseType, Routes } from 'discord-api-types/v10';
import { Redis } from 'ioredis';

export interface CallbackLatencyResult {
  idle: { p50: number; p99: number; samples: number };
  duringMassBan: { p50: number; p99: number; samples: number; bansServed: number; bansQueued: number };
}

const token = 'Y2FsbGJhY2stbGF0ZW5jeQ.callback-latency.simulated-token-never-used-on-discord';

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)] ?? Number.NaN;
}

/**
 * Interaction-callback latency (from the interaction's delivery to the simulator receiving the callback)
 * with the REST client idle, then while a mass ban of `banCount` members saturates the guild's ban bucket
 * through the same client and the same shared limiter.
 */
export async function measureCallbackLatency(options: {
  redisUrl: string;
  samples: number;
  banCount: number;
  intervalMs?: number;
}): Promise<CallbackLatencyResult> {
  const simulator = await DiscordSimulator.start({
    token,
    shardCount: 1,
    guildCount: 1,
    seed: 11,
    dispatchLedgerCapacity: 0,
  });
  const redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const keyPrefix = `callback-latency:${randomUUID().slice(0, 8)}`;
  const { rest } = createRateLimitedRest({
    rest: { api: simulator.restUrl, version: '10' },
    token,
    limiter: { redis, keyPrefix },
  });
  const answerOne = async () => {
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    const sentAt = Date.now();
    await rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
      auth: false,
      body: { type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'pong' } },
    });
    const callback = await simulator.waitForInteractionResponse(interaction.id);
    return callback.receivedAt - sentAt;
  };
  const sample = async () => {
    const latencies: number[] = [];
    for (let index = 0; index < options.samples; index += 1) {
      latencies.push(await answerOne());
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
    }
    return latencies;
  };
  try {
    const idle = await sample();
    const guild = simulator.guildsForShard(0, 1)[0];
    const stopBans = new AbortController();
    setMaxListeners(0, stopBans.signal); // one listener per queued ban
    let bansServed = 0;
    const bans = Array.from({ length: options.banCount }, (_, index) =>
      rest
        .put(Routes.guildBan(guild?.id ?? '', String(1_200_000_000_000_000_000n + BigInt(index))), {
          body: { delete_message_seconds: 0 },
          reason: 'mass ban benchmark',
          signal: stopBans.signal,
        })
        .then(
          () => {
            bansServed += 1;
          },
          () => undefined,
        ),
    );
    const busy = await sample();
    stopBans.abort();
    await Promise.all(bans);
    return {
      idle: { p50: percentile(idle, 0.5), p99: percentile(idle, 0.99), samples: idle.length },
      duringMassBan: {
        p50: percentile(busy, 0.5),
        p99: percentile(busy, 0.99),
        samples: busy.length,
        bansServed,
        bansQueued: options.banCount,
      },
    };
  } finally {
    const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await simulator.stop();
  }
}
