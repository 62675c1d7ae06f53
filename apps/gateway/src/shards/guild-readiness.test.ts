import { randomUUID } from 'node:crypto';
import { createLogger, createRedisConnection, RedisKeys, singleRedis } from '@dgc/shared';
import type { GatewayDispatchPayload, GatewayReadyDispatchData } from 'discord-api-types/v10';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../cluster/redis-session-store.js';
import { GuildReadiness } from './guild-readiness.js';

const redis = createRedisConnection({
  target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  connectionName: 'test:guild-readiness',
});
const logger = createLogger({ name: 'test', level: 'silent' });
const keyPrefix = `test:readiness:${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(keyPrefix);
const generation = 2;

afterAll(async () => {
  const found = await redis.keys(keys.everything());
  if (found.length > 0) await redis.del(...found);
  await redis.quit();
});

const readyWith = (guildIds: string[]) =>
  ({ guilds: guildIds.map((id) => ({ id, unavailable: true })) }) as unknown as GatewayReadyDispatchData;
const guildCreate = (id: string) => ({ op: 0, t: 'GUILD_CREATE', s: 2, d: { id } }) as GatewayDispatchPayload;

describe('the readiness of a shard set brought up by a reshard', () => {
  it('writes a shard ready only once its session is in Redis, for another process to resume', async () => {
    // No periodic flush within the test: only the readiness's own write can store the session.
    const sessions = new RedisSessionStore({ redis, keyPrefix, generation, logger, flushEveryMs: 3_600_000 });
    const readiness = new GuildReadiness({ redis, keyPrefix, generation, logger, sessions });
    const readyOf = () => redis.hget(keys.generationReady(generation), '0');
    sessions.update(0, {
      shardId: 0,
      sessionId: 'session-0',
      sequence: 1,
      resumeURL: 'ws://127.0.0.1:9',
      shardCount: 4,
    });
    readiness.ready(0, readyWith(['10', '11']));
    await expect.poll(readyOf).toBe('identified');
    readiness.see(guildCreate('10'), 0);
    readiness.see(guildCreate('11'), 0);
    await expect.poll(readyOf).toBe('ready');
    // Counted ready, the shard's guilds leave the old set at the switch: a process killed now must leave a
    // session that the next owner resumes (a new identify would replay nothing of this one).
    expect(await redis.hget(keys.shardSession(generation, 0), 'sessionId')).toBe('session-0');
    await sessions.close();
  });
});
