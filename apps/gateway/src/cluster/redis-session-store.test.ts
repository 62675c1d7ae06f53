import { randomUUID } from 'node:crypto';
import { createLogger, createRedisConnection, RedisKeys, singleRedis } from '@dgc/shared';
import type { SessionInfo } from '@discordjs/ws';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from './redis-session-store.js';

const redis = createRedisConnection({
  target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  connectionName: 'test:session-store',
});
const logger = createLogger({ name: 'test', level: 'silent' });
const keyPrefix = `test:session-store:${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(keyPrefix);
const generation = 1;

afterAll(async () => {
  const found = await redis.keys(keys.everything());
  if (found.length > 0) await redis.del(...found);
  await redis.quit();
});

const session = (shardId: number, sessionId: string, sequence: number): SessionInfo => ({
  shardId,
  sessionId,
  sequence,
  resumeURL: 'ws://127.0.0.1:9/resume/x',
  shardCount: 4,
});

describe('RedisSessionStore', () => {
  it('writes a new session (READY) at once, not at the next flush, so a crash right after leaves it resumable', async () => {
    // No periodic flush within the test: only the store's own write on READY can put the session there.
    const sessions = new RedisSessionStore({ redis, keyPrefix, generation, logger, flushEveryMs: 3_600_000 });
    const stored = (shardId: number) => redis.hgetall(keys.shardSession(generation, shardId));
    sessions.update(0, session(0, 'session-a', 1));
    await expect.poll(() => stored(0)).toMatchObject({ sessionId: 'session-a', sequence: '0' });
    // A dispatch moves the sequence in memory only: the flush writes it, the hot path stays free of Redis.
    sessions.update(0, session(0, 'session-a', 2));
    sessions.watermark(0).skip(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await stored(0)).sequence).toBe('0');
    // The next identify of the shard (a new session) replaces the old one at once too.
    sessions.update(0, session(0, 'session-b', 1));
    await expect.poll(() => stored(0)).toMatchObject({ sessionId: 'session-b', sequence: '0' });
    await sessions.close();
  });

  it('writes a resumed session at once (RESUMED), so Redis holds it again after losing it', async () => {
    const sessions = new RedisSessionStore({ redis, keyPrefix, generation, logger, flushEveryMs: 3_600_000 });
    const key = keys.shardSession(generation, 1);
    sessions.update(1, session(1, 'session-c', 1));
    sessions.watermark(1).skip(5);
    await expect.poll(() => redis.hget(key, 'sessionId')).toBe('session-c');
    // Redis lost it (expired while the connection was down, or restarted); the shard resumes from memory.
    await redis.del(key);
    sessions.resumed(1);
    await expect.poll(() => redis.hgetall(key)).toMatchObject({ sessionId: 'session-c', sequence: '5' });
    await sessions.close();
  });
});
