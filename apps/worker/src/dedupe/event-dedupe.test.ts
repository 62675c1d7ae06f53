import { randomUUID } from 'node:crypto';
import { createRedisConnection, type Redis, RedisKeys, singleRedis } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventDedupe, EventInProgressError } from './event-dedupe.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('EventDedupe', () => {
  let redis: Redis;
  const keyPrefix = `test-dedupe-${randomUUID()}`;

  beforeAll(() => {
    redis = createRedisConnection({ target: singleRedis(redisUrl), connectionName: 'test:dedupe' });
  });

  afterAll(async () => {
    const keys = await redis.keys(new RedisKeys(keyPrefix).everything());
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const dedupe = (processingTtlMs = 10_000) =>
    new EventDedupe(redis, { keyPrefix, processingTtlMs, doneTtlMs: 60_000 });

  it('runs an event once: a redelivery after success is skipped', async () => {
    const claim = await dedupe().claim('MESSAGE_CREATE:1');
    expect(claim.run).toBe(true);
    if (claim.run) await claim.settle('done');
    expect((await dedupe().claim('MESSAGE_CREATE:1')).run).toBe(false);
  });

  it('refuses a second concurrent claim with a retryable error', async () => {
    const first = await dedupe().claim('MESSAGE_CREATE:2');
    expect(first.run).toBe(true);
    await expect(dedupe().claim('MESSAGE_CREATE:2')).rejects.toBeInstanceOf(EventInProgressError);
  });

  it('releases a failed attempt so the retry runs', async () => {
    const first = await dedupe().claim('MESSAGE_CREATE:3');
    if (first.run) await first.settle('release');
    expect((await dedupe().claim('MESSAGE_CREATE:3')).run).toBe(true);
  });

  it('lets another worker take over once a crashed worker’s claim expires', async () => {
    expect((await dedupe(50).claim('MESSAGE_CREATE:4')).run).toBe(true);
    await expect
      .poll(
        async () =>
          (
            await dedupe()
              .claim('MESSAGE_CREATE:4')
              .catch(() => ({ run: 'busy' }))
          ).run,
        { timeout: 2_000, interval: 20 },
      )
      .toBe(true);
  });

  it('settles only its own claim', async () => {
    const stale = await dedupe(50).claim('MESSAGE_CREATE:5');
    await expect
      .poll(
        async () =>
          (
            await dedupe()
              .claim('MESSAGE_CREATE:5')
              .catch(() => ({ run: 'busy' }))
          ).run,
        { timeout: 2_000, interval: 20 },
      )
      .toBe(true);
    if (stale.run) await stale.settle('release'); // the expired attempt must not release the new claim
    await expect(dedupe().claim('MESSAGE_CREATE:5')).rejects.toBeInstanceOf(EventInProgressError);
  });

  it('marks a batch handled with one write, and lets only its failed events be claimed again', async () => {
    const keys = ['MESSAGE_CREATE:b1', 'MESSAGE_CREATE:b2', 'MESSAGE_CREATE:b3'];
    const batch = await dedupe().claimMany(keys);
    expect(batch.states).toEqual(['run', 'run', 'run']);
    // While the attempt runs, a redelivered copy waits.
    expect((await dedupe().claimMany(keys)).states).toEqual(['busy', 'busy', 'busy']);
    await batch.finish(['MESSAGE_CREATE:b2'], true);
    expect((await dedupe().claimMany(keys)).states).toEqual(['done', 'run', 'done']);
  });

  it('an attempt that handled nothing leaves every event claimable', async () => {
    const keys = ['MESSAGE_CREATE:c1', 'MESSAGE_CREATE:c2'];
    const batch = await dedupe().claimMany(keys);
    await batch.finish(keys, false);
    expect((await dedupe().claimMany(keys)).states).toEqual(['run', 'run']);
  });

  it('a repeated event within one batch runs once', async () => {
    const batch = await dedupe().claimMany(['MESSAGE_CREATE:d1', 'MESSAGE_CREATE:d1']);
    expect(batch.states).toEqual(['run', 'busy']);
  });

  it('after a crashed attempt lapses, the new attempt decides: a late success of the old one does not hide a failure of the new', async () => {
    const crashed = await dedupe(50).claimMany(['MESSAGE_CREATE:e1']);
    expect(crashed.states).toEqual(['run']);
    let retry = await dedupe().claimMany(['MESSAGE_CREATE:e1']);
    await expect
      .poll(
        async () => {
          retry = await dedupe().claimMany(['MESSAGE_CREATE:e1']);
          return retry.states[0];
        },
        { timeout: 10_000, interval: 20 },
      )
      .toBe('run');
    await crashed.finish([], true);
    await retry.finish(['MESSAGE_CREATE:e1'], false);
    expect((await dedupe().claimMany(['MESSAGE_CREATE:e1'])).states).toEqual(['run']);
  });

  it('claims thousands of events concurrently, each exactly once', async () => {
    const keys = Array.from({ length: 2_000 }, (_, index) => `MESSAGE_CREATE:bulk-${index}`);
    const outcomes = await Promise.all(
      [...keys, ...keys].map((key) =>
        dedupe()
          .claim(key)
          .then(
            (claim) => claim.run,
            () => 'busy',
          ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === true)).toHaveLength(2_000);
  });

  it('waits for replicas after claiming and after settling, and goes on (reporting it) when they fall short', async () => {
    // The shared Redis has no replica: each WAIT times out with 0 acknowledgements.
    const shortfalls: number[] = [];
    const waiting = new EventDedupe(redis, {
      keyPrefix,
      processingTtlMs: 10_000,
      doneTtlMs: 60_000,
      waitReplicas: () => 1,
      waitTimeoutMs: 20,
      onUnreplicated: (acknowledged) => shortfalls.push(acknowledged),
    });
    const claim = await waiting.claim('MESSAGE_CREATE:replicated');
    expect(claim.run).toBe(true);
    expect(shortfalls).toEqual([0]);
    if (claim.run) await claim.settle('done');
    expect(shortfalls).toEqual([0, 0]);
    expect((await dedupe().claim('MESSAGE_CREATE:replicated')).run).toBe(false);
  });
});
