import { randomUUID } from 'node:crypto';
import { createRedisConnection, type Redis, RedisKeys, singleRedis } from '@dgc/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AttemptStatus, ClaimReplication, ReplicationVerdict } from './claim-replication.js';
import { EventDedupe, EventInProgressError } from './event-dedupe.js';
import { RedisClaimReplication } from './redis-claim-replication.js';

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

  describe('with replication checks (RedisClaimReplication on a connection of its own)', () => {
    let checkConnection: Redis;
    const keys = new RedisKeys(keyPrefix);

    beforeAll(() => {
      checkConnection = createRedisConnection({
        target: singleRedis(redisUrl),
        connectionName: 'test:dedupe-checks',
      });
    });

    afterAll(async () => {
      await checkConnection.quit();
    });

    /** The shared Redis has no replica: a WAIT for one times out with 0 acknowledgements. */
    const checks = (waitFor: number) =>
      new RedisClaimReplication({
        connections: [checkConnection],
        keyPrefix,
        timeoutMs: 20,
        plan: () => ({ check: true, waitFor, wanted: waitFor }),
      });

    /** Counts what the checks answered, and lets a test make the server "lose" writes before one. */
    class RecordingReplication implements ClaimReplication {
      readonly verdicts: string[] = [];
      loseBeforeNext: string[] = [];
      constructor(readonly inner: ClaimReplication) {}
      async confirm(attemptKey: string, status: AttemptStatus): Promise<ReplicationVerdict> {
        if (this.loseBeforeNext.length > 0) {
          // What a failover to a replica that never received them does to the attempt's writes.
          await redis.del(attemptKey, ...this.loseBeforeNext);
          this.loseBeforeNext = [];
        }
        const verdict = await this.inner.confirm(attemptKey, status);
        this.verdicts.push(`${status}:${verdict.kind}`);
        return verdict;
      }
    }

    const observed = () => {
      const seen = { rewritten: [] as AttemptStatus[], takenElsewhere: 0 };
      return {
        seen,
        observer: {
          rewritten: (status: AttemptStatus) => seen.rewritten.push(status),
          takenElsewhere: (events: number) => {
            seen.takenElsewhere += events;
          },
        },
      };
    };

    it('checks after claiming and after settling, and goes on when the replicas fall short', async () => {
      const replication = new RecordingReplication(checks(1));
      const waiting = new EventDedupe(redis, {
        keyPrefix,
        processingTtlMs: 10_000,
        doneTtlMs: 60_000,
        replication,
      });
      const claim = await waiting.claim('MESSAGE_CREATE:replicated');
      expect(claim.run).toBe(true);
      if (claim.run) await claim.settle('done');
      expect(replication.verdicts).toEqual(['running:short', 'done:short']);
      expect((await dedupe().claim('MESSAGE_CREATE:replicated')).run).toBe(false);
    });

    it('makes a claim the server lost again before its handlers run', async () => {
      const replication = new RecordingReplication(checks(0));
      const { seen, observer } = observed();
      const waiting = new EventDedupe(redis, {
        keyPrefix,
        processingTtlMs: 10_000,
        doneTtlMs: 60_000,
        replication,
        observer,
      });
      replication.loseBeforeNext = [keys.dedupe('MESSAGE_CREATE:lost-claim')];
      const batch = await waiting.claimMany(['MESSAGE_CREATE:lost-claim']);
      expect(batch.states).toEqual(['run']);
      expect(replication.verdicts).toEqual(['running:lost', 'running:replicated']);
      expect(seen.rewritten).toEqual(['running']);
      // The claim made again holds: a redelivered copy waits for it.
      expect((await dedupe().claimMany(['MESSAGE_CREATE:lost-claim'])).states).toEqual(['busy']);
    });

    it('gives a lost claim to the attempt that took the event meanwhile', async () => {
      const replication = new RecordingReplication(checks(0));
      const waiting = new EventDedupe(redis, {
        keyPrefix,
        processingTtlMs: 10_000,
        doneTtlMs: 60_000,
        replication,
      });
      const event = 'MESSAGE_CREATE:taken-meanwhile';
      replication.loseBeforeNext = [keys.dedupe(event)];
      // A redelivery claims the event on the server that lost this attempt's claim, after the check found
      // it lost and before this attempt claims again.
      const original = replication.confirm.bind(replication);
      let redelivery: Awaited<ReturnType<EventDedupe['claimMany']>> | undefined;
      replication.confirm = async (attemptKey, status) => {
        const verdict = original(attemptKey, status);
        redelivery ??= await verdict.then(() => dedupe().claimMany([event]));
        return verdict;
      };
      const batch = await waiting.claimMany([event]);
      expect(redelivery?.states).toEqual(['run']);
      expect(batch.states).toEqual(['busy']);
    });

    it('writes a lost done mark again before the job completes', async () => {
      const replication = new RecordingReplication(checks(0));
      const { seen, observer } = observed();
      const waiting = new EventDedupe(redis, {
        keyPrefix,
        processingTtlMs: 10_000,
        doneTtlMs: 60_000,
        replication,
        observer,
      });
      const events = ['MESSAGE_CREATE:lost-done-1', 'MESSAGE_CREATE:lost-done-2'];
      const batch = await waiting.claimMany(events);
      replication.loseBeforeNext = events.map((event) => keys.dedupe(event));
      await batch.finish([], true);
      expect(replication.verdicts).toEqual(['running:replicated', 'done:lost', 'done:replicated']);
      expect(seen).toEqual({ rewritten: ['done'], takenElsewhere: 0 });
      expect((await dedupe().claimMany(events)).states).toEqual(['done', 'done']);
    });

    it('one check serves every attempt that asked while the previous one was out', async () => {
      const connection = checks(1);
      const pipelines = vi.spyOn(checkConnection, 'pipeline');
      try {
        const waiting = new EventDedupe(redis, {
          keyPrefix,
          processingTtlMs: 10_000,
          doneTtlMs: 60_000,
          replication: connection,
        });
        const claims = await Promise.all(
          Array.from({ length: 40 }, (_, index) => waiting.claimMany([`MESSAGE_CREATE:together-${index}`])),
        );
        expect(claims.every((claim) => claim.states[0] === 'run')).toBe(true);
        // 40 claims, each needing a check: at most the first alone, the rest together.
        expect(pipelines.mock.calls.length).toBeLessThanOrEqual(3);
      } finally {
        pipelines.mockRestore();
      }
    });
  });
});
