import { randomUUID } from 'node:crypto';
import { createRedisConnection, type Redis, RedisKeys, singleRedis } from '@dgc/shared';
import { afterAll, describe, expect, it } from 'vitest';
import type { DedupeWaitPlan } from './dedupe-wait-policy.js';
import { RedisClaimReplication } from './redis-claim-replication.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** RedisClaimReplication's connections, opened as checks need them (against the shared Redis, no replica). */
describe('RedisClaimReplication with connections opened on demand', () => {
  const keyPrefix = `test-claim-replication-${randomUUID()}`;
  const opened: Redis[] = [];
  const source = (max: number) => ({
    max,
    open: () => {
      const connection = createRedisConnection({
        target: singleRedis(redisUrl),
        connectionName: 'test:claim-replication',
      });
      opened.push(connection);
      return connection;
    },
  });

  afterAll(async () => {
    const [first] = opened;
    if (first) {
      const keys = await first.keys(new RedisKeys(keyPrefix).everything());
      if (keys.length > 0) await first.del(...keys);
    }
    await Promise.all(opened.map((connection) => connection.quit()));
  });

  it('opens none while the plan asks for no check (a Redis with no replica)', async () => {
    const before = opened.length;
    const replication = new RedisClaimReplication({
      connections: source(4),
      keyPrefix,
      timeoutMs: 20,
      plan: () => ({ check: false, waitFor: 0, wanted: 0 }),
    });
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        replication.confirm(`${keyPrefix}:attempt:${index}`, 'running'),
      ),
    );
    expect(verdicts.every((verdict) => verdict.kind === 'replicated')).toBe(true);
    expect(opened.length).toBe(before);
  });

  it('opens one per check in flight, never more than its max, and reuses them', async () => {
    const before = opened.length;
    let plan: DedupeWaitPlan = { check: true, waitFor: 1, wanted: 1 };
    const replication = new RedisClaimReplication({
      connections: source(2),
      keyPrefix,
      timeoutMs: 20,
      plan: () => plan,
    });
    const confirmAll = (count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, index) =>
          replication.confirm(`${keyPrefix}:absent:${randomUUID()}:${index}`, 'running'),
        ),
      );
    // Nothing holds these attempts: each check answers `lost`, after a WAIT that no replica acknowledges.
    const first = await confirmAll(30);
    expect(first.every((verdict) => verdict.kind === 'lost')).toBe(true);
    expect(opened.length - before).toBe(2);
    plan = { check: true, waitFor: 0, wanted: 0 };
    const second = await confirmAll(30);
    expect(second.every((verdict) => verdict.kind === 'lost')).toBe(true);
    expect(opened.length - before).toBe(2);
  });
});
