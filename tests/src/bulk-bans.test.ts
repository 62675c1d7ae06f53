import { bulk } from '@dgc/bot-sdk';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { createRateLimitedRest, type SharedRateLimiter } from '@dgc/rest';
import { createRedisConnection, type Redis, singleRedis } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsQueueProbe } from './support/queue-inspection.js';
import { redisUrl, simulatorToken, uniqueKeyPrefix } from './support/services.js';

/**
 * The bans bucket: 250 per 5 s (50/s). Each window costs the client the limiter's margin, @discordjs/rest's
 * reset offset and a round trip (~100-150 ms measured here) beyond the window itself; on 1 s windows that
 * alone is over 10 %, on 5 s windows ~3 %.
 */
const bansPerWindow = 250;
const windowMs = 5_000;

describe('bulk bans against the simulator through the shared REST limits', () => {
  let simulator: DiscordSimulator;
  let redis: Redis;
  let keyPrefix: string;
  let rest: REST;
  let limiter: SharedRateLimiter | undefined;

  beforeAll(async () => {
    simulator = await DiscordSimulator.start({
      token: simulatorToken,
      shardCount: 1,
      guildCount: 1,
      routeLimits: { bans: { limit: bansPerWindow, windowMs } },
      // The bans bucket, not the global limit, is what bounds the run.
      globalRateLimitPerSecond: 200,
    });
    redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:bulk-bans' });
    keyPrefix = uniqueKeyPrefix('bulk-bans');
    ({ rest, limiter } = createRateLimitedRest({
      rest: { api: simulator.restUrl, version: '10' },
      token: simulatorToken,
      limiter: { redis, keyPrefix, globalPerSecond: 150 },
    }));
  });

  afterAll(async () => {
    await limiter?.flushStats();
    await redis?.quit();
    await new EventsQueueProbe(keyPrefix).removeAndClose();
    await simulator?.stop();
  });

  const guildId = () => simulator.guilds[0]?.id ?? '';
  const userIds = (count: number, offset: number) =>
    Array.from({ length: count }, (_, index) => String(900_000_000_000_000_000n + BigInt(offset + index)));

  it("bans 1,050 users with no 429, within 10 % of the bucket's minimum, and reports the 50 refused per item", {
    timeout: 60_000,
  }, async () => {
    const total = 1_050;
    const users = userIds(total, 0);
    // Every 21st ban asks to delete 30 days of messages: Discord refuses it (at most 7 days).
    const refused = new Set(users.filter((_, index) => index % 21 === 0));
    expect(refused.size).toBe(50);
    const report = await bulk(
      users,
      (userId) =>
        rest.put(Routes.guildBan(guildId(), userId), {
          body: { delete_message_seconds: refused.has(userId) ? 30 * 86_400 : 0 },
          reason: 'bulk test',
        }),
      { concurrency: 25 },
    );

    expect(simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    expect(report).toMatchObject({ total, done: total - 50, failed: 50, skipped: 0, cancelled: false });
    const failures = report.items.filter((outcome) => outcome.status === 'failed');
    expect(new Set(failures.map((outcome) => outcome.item))).toEqual(refused);
    for (const failure of failures) expect(failure.error).toMatchObject({ status: 400, code: 50035 });
    expect(simulator.stats().restCalls).toBeGreaterThanOrEqual(total);
    // Fixed windows of 250: 1,050 calls need 5 windows, i.e. at least 20 s after the first call.
    const minimumMs = (Math.ceil(total / bansPerWindow) - 1) * windowMs;
    console.log(
      `[measure] ${total} bans (bucket ${bansPerWindow} per ${windowMs} ms) in ${Math.round(report.durationMs)} ms; the bucket's minimum is ${minimumMs} ms (${((report.durationMs / minimumMs - 1) * 100).toFixed(1)} % over); 429s 0`,
    );
    expect(report.durationMs).toBeGreaterThanOrEqual(minimumMs * 0.98);
    expect(report.durationMs).toBeLessThanOrEqual(minimumMs * 1.1);
  });

  it('stops within one batch of items once cancelled', { timeout: 30_000 }, async () => {
    const controller = new AbortController();
    const concurrency = 10;
    let started = 0;
    const report = await bulk(
      userIds(200, 1_000),
      async (userId) => {
        started += 1;
        await rest.put(Routes.guildBan(guildId(), userId), { body: {} });
      },
      {
        concurrency,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.done === 30) controller.abort();
        },
      },
    );
    expect(report.cancelled).toBe(true);
    expect(started).toBeLessThanOrEqual(30 + concurrency);
    expect(report.done + report.failed).toBe(started);
    expect(report.skipped).toBe(200 - started);
    expect(simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
  });
});
