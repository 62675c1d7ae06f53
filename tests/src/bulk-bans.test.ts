import { bulk } from '@dgc/bot-sdk';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { createRateLimitedRest, type SharedRateLimiter } from '@dgc/rest';
import { createRedisConnection, type Redis, singleRedis } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventsQueueProbe } from './support/queue-inspection.js';
import { redisUrl, simulatorToken, uniqueKeyPrefix } from './support/services.js';

const bansPerSecond = 50;

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
      routeLimits: { bans: { limit: bansPerSecond, windowMs: 1_000 } },
    });
    redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:bulk-bans' });
    keyPrefix = uniqueKeyPrefix('bulk-bans');
    ({ rest, limiter } = createRateLimitedRest({
      rest: { api: simulator.restUrl, version: '10' },
      token: simulatorToken,
      limiter: { redis, keyPrefix, globalPerSecond: 50 },
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

  it('bans 200 users with no 429 and reports the ones Discord refused, per item', {
    timeout: 60_000,
  }, async () => {
    const users = userIds(200, 0);
    // Every 20th ban asks to delete 30 days of messages: Discord refuses it (at most 7 days).
    const refused = new Set(users.filter((_, index) => index % 20 === 0));
    const report = await bulk(
      users,
      (userId) =>
        rest.put(Routes.guildBan(guildId(), userId), {
          body: { delete_message_seconds: refused.has(userId) ? 30 * 86_400 : 0 },
          reason: 'bulk test',
        }),
      { concurrency: 20 },
    );

    expect(simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    expect(report).toMatchObject({ total: 200, done: 190, failed: 10, skipped: 0, cancelled: false });
    const failures = report.items.filter((outcome) => outcome.status === 'failed');
    expect(new Set(failures.map((outcome) => outcome.item))).toEqual(refused);
    for (const failure of failures) expect(failure.error).toMatchObject({ status: 400, code: 50035 });
    // The bucket allows 50 a second: 200 calls take at least 3 full windows after the first.
    const minimumMs = (Math.ceil(200 / bansPerSecond) - 1) * 1_000;
    console.log(
      `[measure] 200 bans (bucket ${bansPerSecond}/s) in ${Math.round(report.durationMs)} ms; the bucket's minimum is ~${minimumMs} ms; 429s 0`,
    );
    expect(report.durationMs).toBeGreaterThanOrEqual(minimumMs * 0.9);
    expect(report.durationMs).toBeLessThanOrEqual(minimumMs * 2 + 1_000);
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
