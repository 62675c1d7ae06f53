import { randomUUID } from 'node:crypto';
import { DiscordSimulator, type SimulatorOptions } from '@dgc/discord-simulator';
import { RedisKeys } from '@dgc/shared';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRateLimitedRest } from './rate-limited-rest.js';
import { InvalidRequestBreakerOpenError } from './shared-rate-limiter.js';

const token = 'dGVzdC1ib3QtdG9rZW4tZm9yLXNpbQ.rest-tests.simulated-token-never-used-on-discord';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('shared rate limits against the simulator', () => {
  const cleanups: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  async function setup(simulatorOptions: Partial<SimulatorOptions>, clients: number, shared = true) {
    const simulator = await DiscordSimulator.start({
      token,
      shardCount: 1,
      guildCount: 2,
      seed: 3,
      ...simulatorOptions,
    });
    const keyPrefix = `test:rest:${randomUUID().slice(0, 8)}`;
    const connections = Array.from(
      { length: clients },
      () => new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true }),
    );
    await Promise.all(connections.map((connection) => connection.connect()));
    cleanups.push(async () => {
      const keys = await connections[0]?.keys(new RedisKeys(keyPrefix).everything());
      if (keys?.length) await connections[0]?.del(...keys);
      await Promise.all(connections.map((connection) => connection.quit()));
      await simulator.stop();
    });
    const rests = connections.map(
      (redis) =>
        createRateLimitedRest({
          rest: { api: simulator.restUrl, version: '10', retries: 0 },
          token,
          limiter: shared
            ? { redis, keyPrefix, globalPerSecond: simulatorOptions.globalRateLimitPerSecond }
            : undefined,
        }).rest,
    );
    const channels = simulator
      .guildsForShard(0, 1)
      .flatMap((guild) => guild.channels.filter((channel) => channel.type === 0));
    return { simulator, rests, channels, connections, keyPrefix };
  }

  it('keeps several clients inside one route bucket with no 429', { timeout: 30_000 }, async () => {
    const { simulator, rests, channels } = await setup(
      { routeLimits: { createMessage: { limit: 5, windowMs: 500 } } },
      3,
    );
    const channel = channels[0]?.id ?? '';
    const started = performance.now();
    await Promise.all(
      rests.flatMap((rest) =>
        Array.from({ length: 10 }, (_, index) =>
          rest.post(`/channels/${channel}/messages`, { body: { content: `message ${index}` } }),
        ),
      ),
    );
    const elapsed = performance.now() - started;
    expect(simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    // 30 requests through a 5-per-500 ms bucket need at least 5 full windows.
    expect(elapsed).toBeGreaterThanOrEqual(5 * 500);
  });

  it('draws 429s without the shared state (the baseline the limiter beats)', {
    timeout: 30_000,
  }, async () => {
    const { simulator, rests, channels } = await setup(
      { routeLimits: { createMessage: { limit: 5, windowMs: 500 } } },
      3,
      false,
    );
    const channel = channels[0]?.id ?? '';
    // Each plain client learns the bucket on its own first request, so the first ones collide.
    await Promise.allSettled(
      rests.flatMap((rest) =>
        Array.from({ length: 10 }, () =>
          rest.post(`/channels/${channel}/messages`, { body: { content: 'x' } }),
        ),
      ),
    );
    expect(simulator.stats().rateLimited.user).toBeGreaterThan(0);
  });

  it('keeps clients inside the global limit across routes', { timeout: 30_000 }, async () => {
    const { simulator, rests, channels } = await setup({ globalRateLimitPerSecond: 10 }, 3);
    const started = performance.now();
    // Different channels are different buckets: only the global limit binds.
    await Promise.all(
      rests.flatMap((rest, client) =>
        channels
          .slice(0, 4)
          .map((channel, index) => rest.get(`/channels/${channel.id}?c=${client}-${index}`)),
      ),
    );
    await Promise.all(
      rests.flatMap((rest) => channels.slice(0, 4).map((channel) => rest.get(`/channels/${channel.id}`))),
    );
    expect(simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    // 24 requests at 10 per second need more than two seconds.
    expect(performance.now() - started).toBeGreaterThan(2_000);
  });

  it('makes every client wait out a global 429 another one received', { timeout: 30_000 }, async () => {
    const { simulator, rests, channels } = await setup({}, 2);
    const [first, second] = rests;
    const channel = channels[1]?.id ?? '';
    simulator.faults.addRestFault({
      pathPrefix: '/channels/',
      kind: 'rateLimit',
      scope: 'global',
      retryAfterSeconds: 1,
      count: 1,
    });
    const started = performance.now();
    await first?.get(`/channels/${channel}`).catch(() => undefined);
    await second?.get(`/channels/${channel}`);
    // The second client never saw the 429 itself, yet waited for the global block to pass.
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(simulator.stats().rateLimited.global).toBe(1);
  });

  it('stops calling before the invalid-request ban threshold', { timeout: 30_000 }, async () => {
    const simulator = await DiscordSimulator.start({
      token,
      shardCount: 1,
      guildCount: 6,
      seed: 4,
      invalidRequestLimit: 50,
    });
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const keyPrefix = `test:rest:${randomUUID().slice(0, 8)}`;
    cleanups.push(async () => {
      const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await simulator.stop();
    });
    const { rest } = createRateLimitedRest({
      rest: { api: simulator.restUrl, version: '10', retries: 0 },
      token,
      limiter: { redis, keyPrefix, invalidRequestBreaker: 30 },
    });
    // A storm of user-scope 429s: each one counts towards Cloudflare's invalid-request ban.
    simulator.faults.addRestFault({
      pathPrefix: '/channels/',
      kind: 'rateLimit',
      scope: 'user',
      retryAfterSeconds: 0.01,
    });
    const channels = simulator
      .guildsForShard(0, 1)
      .flatMap((guild) => guild.channels)
      .slice(0, 10);
    expect(channels).toHaveLength(10);
    // Ten requests keep retrying through the storm; the breaker stops them all.
    const outcomes = await Promise.allSettled(channels.map((channel) => rest.get(`/channels/${channel.id}`)));
    const breakerError = outcomes.find((outcome) => outcome.status === 'rejected')?.reason;
    expect(breakerError).toBeInstanceOf(InvalidRequestBreakerOpenError);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    // At most the requests already in flight when it tripped get past the breaker: under the ban at 50.
    expect(simulator.stats().invalidRequests).toBeGreaterThanOrEqual(30);
    expect(simulator.stats().invalidRequests).toBeLessThan(50);
  });

  it('falls back to a share of the limits when Redis is unreachable, still with no 429', {
    timeout: 30_000,
  }, async () => {
    const simulator = await DiscordSimulator.start({
      token,
      shardCount: 1,
      guildCount: 2,
      seed: 5,
      globalRateLimitPerSecond: 8,
    });
    const unreachable = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => {}); // the failure under test
    cleanups.push(async () => {
      unreachable.disconnect();
      await simulator.stop();
    });
    const fallbacks: boolean[] = [];
    const { rest } = createRateLimitedRest({
      rest: { api: simulator.restUrl, version: '10', retries: 0 },
      token,
      limiter: {
        redis: unreachable,
        keyPrefix: 'unused',
        globalPerSecond: 8,
        fallbackShare: 0.5,
        observer: { onFallback: (active) => fallbacks.push(active) },
      },
    });
    const channels = simulator.guildsForShard(0, 1).flatMap((guild) => guild.channels);
    const started = performance.now();
    await Promise.all(channels.slice(0, 8).map((channel) => rest.get(`/channels/${channel.id}`)));
    expect(fallbacks).toEqual([true]);
    expect(simulator.stats().rateLimited).toEqual({ user: 0, global: 0, shared: 0 });
    // Half of 8 per second: 8 requests take more than one second.
    expect(performance.now() - started).toBeGreaterThan(1_000);
  });
});
