// Over 300 lines: one stateful walk through the writer against real Redis (each case builds on the cache the previous left), plus its backpressure and sweep cases.
import { randomUUID } from 'node:crypto';
import {
  type CacheEntityKind,
  createRedisConnection,
  guildFromHash,
  type Redis,
  RedisKeys,
  singleRedis,
} from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeldShardLeases } from '../cluster/held-shard-leases.js';
import { StateCacheWriter } from './state-cache-writer.js';

const logger = pino({ level: 'silent' });
const guildId = '500';

function dispatch(t: string, d: object, s = 1): GatewayDispatchPayload {
  return { op: 0, t, s, d } as unknown as GatewayDispatchPayload;
}

const role = (id: string, position: number, permissions = '0') => ({
  id,
  name: `role ${id}`,
  color: 0,
  hoist: false,
  icon: null,
  unicode_emoji: null,
  position,
  permissions,
  managed: false,
  mentionable: false,
  flags: 0,
});
const channel = (id: string, position: number, overwrites: object[] = []) => ({
  id,
  type: 0,
  name: `channel-${id}`,
  position,
  parent_id: null,
  permission_overwrites: overwrites,
  nsfw: false,
});
const member = (id: string, roles: string[] = []) => ({
  user: { id, username: `u${id}` },
  roles,
  nick: null,
  joined_at: '2024-01-01T00:00:00.000Z',
  communication_disabled_until: null,
  deaf: false,
  mute: false,
});
const guildCreate = (channels: object[], roles: object[], members: object[]) =>
  dispatch('GUILD_CREATE', {
    id: guildId,
    name: 'Test guild',
    owner_id: '7',
    icon: null,
    member_count: 42,
    unavailable: false,
    channels,
    roles,
    members,
  });

describe('StateCacheWriter', () => {
  const keyPrefix = `test-cache-${randomUUID().slice(0, 8)}`;
  const keys = new RedisKeys(keyPrefix);
  const guildKeys = keys.guildCache(guildId);
  const leases = new HeldShardLeases();
  let redis: Redis;
  let writer: StateCacheWriter;
  let confirmed = 0;
  const receipt = { confirm: () => (confirmed += 1) };

  const make = (entities: CacheEntityKind[], maxPendingEntries = 10_000) =>
    new StateCacheWriter({
      redisTarget: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      keyPrefix,
      entities: new Set(entities),
      maxEvents: 100,
      maxWaitMs: 2,
      maxBuffered: 1_000,
      maxPendingEntries,
      leases,
      logger,
    });

  beforeAll(() => {
    redis = createRedisConnection({
      target: singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      connectionName: 'test:state-cache',
    });
    leases.set(0, { shardId: 0, token: 1, validUntil: Date.now() + 60_000 });
    writer = make(['guilds', 'channels', 'roles', 'members']);
  });

  afterAll(async () => {
    const found = await redis.keys(keys.everything());
    if (found.length > 0) await redis.del(...found);
    await writer.close();
    await redis.quit();
  });

  async function apply(...dispatches: GatewayDispatchPayload[]): Promise<void> {
    for (const each of dispatches) writer.apply(each, 0, receipt);
    await writer.drain(AbortSignal.timeout(5_000));
  }

  async function state() {
    const [guild, channels, roles, members, index] = await Promise.all([
      redis.hgetall(guildKeys.guild),
      redis.hgetall(guildKeys.channels),
      redis.hgetall(guildKeys.roles),
      redis.hgetall(guildKeys.members),
      redis.hgetall(keys.cachedChannelGuilds()),
    ]);
    const parse = (hash: Record<string, string>) =>
      Object.fromEntries(Object.entries(hash).map(([id, json]) => [id, JSON.parse(json)]));
    return {
      guild: guildFromHash(guild),
      channels: parse(channels),
      roles: parse(roles),
      members: parse(members),
      index,
    };
  }

  const mutations = [
    dispatch('READY', { guilds: [{ id: guildId, unavailable: true }] }),
    guildCreate(
      [channel('1', 0), channel('2', 1)],
      [role(guildId, 0, '1024'), role('10', 1)],
      [member('7'), member('8', ['10'])],
    ),
    dispatch('CHANNEL_UPDATE', {
      ...channel('2', 5, [{ id: '10', type: 0, allow: '2048', deny: '0' }]),
      guild_id: guildId,
    }),
    dispatch('CHANNEL_CREATE', { ...channel('3', 2), guild_id: guildId }),
    dispatch('CHANNEL_DELETE', { ...channel('1', 0), guild_id: guildId }),
    dispatch('GUILD_ROLE_CREATE', { guild_id: guildId, role: role('11', 2, '8') }),
    dispatch('GUILD_ROLE_UPDATE', { guild_id: guildId, role: { ...role('10', 3), name: 'renamed' } }),
    dispatch('GUILD_ROLE_DELETE', { guild_id: guildId, role_id: '11' }),
    dispatch('GUILD_MEMBER_ADD', { ...member('9'), guild_id: guildId }),
    dispatch('GUILD_MEMBER_UPDATE', {
      ...member('8', []),
      nick: 'eight',
      communication_disabled_until: '2030-01-01T00:00:00.000Z',
      guild_id: guildId,
    }),
    dispatch('GUILD_MEMBER_REMOVE', { guild_id: guildId, user: { id: '7' } }),
    dispatch('GUILD_UPDATE', { id: guildId, name: 'Renamed guild', owner_id: '8', icon: 'abc' }),
  ];

  it('applies each event in order and confirms every receipt once applied', async () => {
    await apply(...mutations);
    expect(confirmed).toBe(mutations.length);
    const { guild, channels, roles, members, index } = await state();
    expect(guild).toEqual({
      id: guildId,
      name: 'Renamed guild',
      owner_id: '8',
      icon: 'abc',
      unavailable: false,
      member_count: 42,
    });
    expect(Object.keys(channels).sort()).toEqual(['2', '3']);
    expect(channels['2']).toEqual({
      id: '2',
      guild_id: guildId,
      type: 0,
      name: 'channel-2',
      position: 5,
      parent_id: null,
      permission_overwrites: [{ id: '10', type: 0, allow: '2048', deny: '0' }],
    });
    expect(index).toEqual({ '2': guildId, '3': guildId });
    expect(Object.keys(roles).sort()).toEqual(['10', guildId]);
    expect(roles['10']).toMatchObject({ name: 'renamed', position: 3, permissions: '0' });
    expect(Object.keys(members).sort()).toEqual(['8', '9']);
    expect(members['8']).toEqual({
      id: '8',
      guild_id: guildId,
      roles: [],
      nick: 'eight',
      communication_disabled_until: '2030-01-01T00:00:00.000Z',
      joined_at: '2024-01-01T00:00:00.000Z',
    });
  });

  it('ends in the same state when a resume replays the events', async () => {
    const before = await state();
    await apply(...mutations.slice(2));
    await apply(...mutations.slice(5));
    // The replay of READY marks the guild unavailable until its GUILD_CREATE, as on a new session.
    expect(await state()).toEqual(before);
  });

  it("a new session's GUILD_CREATE replaces the guild, sweeping entries deleted meanwhile", async () => {
    await redis.set(keys.cacheFallback('roles', guildId), '[]');
    await apply(
      dispatch('READY', { guilds: [{ id: guildId, unavailable: true }] }),
      guildCreate([channel('3', 0)], [role(guildId, 0)], [member('9')]),
    );
    const { guild, channels, roles, members, index } = await state();
    expect(guild?.unavailable).toBe(false);
    expect(guild?.name).toBe('Test guild');
    expect(Object.keys(channels)).toEqual(['3']);
    expect(index).toEqual({ '3': guildId });
    expect(Object.keys(roles)).toEqual([guildId]);
    expect(Object.keys(members)).toEqual(['9']);
    // A worker's REST copy is dropped when the gateway writes the entity.
    expect(await redis.exists(keys.cacheFallback('roles', guildId))).toBe(0);
  });

  it('marks a guild in an outage and forgets a guild the bot left', async () => {
    await apply(dispatch('GUILD_DELETE', { id: guildId, unavailable: true }));
    expect((await state()).guild).toMatchObject({ name: 'Test guild', unavailable: true });
    expect(Object.keys((await state()).channels)).toEqual(['3']);
    await apply(dispatch('GUILD_DELETE', { id: guildId }));
    expect(await state()).toEqual({ guild: undefined, channels: {}, roles: {}, members: {}, index: {} });
  });

  it('looks events up by name: those it does not cache are not handled', () => {
    const defaults = make(['guilds', 'channels', 'roles']);
    expect(defaults.handles('MESSAGE_CREATE')).toBe(false);
    expect(defaults.handles('GUILD_MEMBER_ADD')).toBe(false);
    expect(defaults.handles('CHANNEL_UPDATE')).toBe(true);
    expect(make([]).handles('GUILD_CREATE')).toBe(false);
    return Promise.all([defaults.close()]);
  });

  it('drops waiting writes of a shard whose lease was lost, without confirming them', async () => {
    const before = confirmed;
    writer.apply(dispatch('CHANNEL_CREATE', { ...channel('4', 0), guild_id: guildId }), 1, receipt);
    await writer.drain(AbortSignal.timeout(5_000));
    expect(confirmed).toBe(before);
    expect(await redis.hget(guildKeys.channels, '4')).toBeNull();
  });

  it('pauses the shards while more entries wait than its bound, and resumes them once half are written', async () => {
    const bounded = make(['guilds', 'channels', 'roles'], 40);
    const calls: string[] = [];
    bounded.attachIntake({
      pauseIntake: () => calls.push('pause'),
      resumeIntake: () => calls.push('resume'),
    });
    const channels = Array.from({ length: 20 }, (_, index) => channel(String(100 + index), index));
    const roles = Array.from({ length: 9 }, (_, index) => role(String(200 + index), index + 1));
    const before = confirmed;
    // 31 entries each (skeleton, 20 channels, 10 roles): the second crosses 40, and each flush takes one.
    for (const _ of [1, 2, 3])
      bounded.apply(guildCreate(channels, [role(guildId, 0), ...roles], []), 0, receipt);
    expect(calls).toEqual(['pause']);
    expect(bounded.pendingEntries).toBe(93);
    await bounded.drain(AbortSignal.timeout(5_000));
    expect(calls).toEqual(['pause', 'resume']);
    expect(bounded.pendingEntries).toBe(0);
    expect(bounded.intakePauses.pauses).toBe(1);
    expect(confirmed - before).toBe(3);
    expect(Object.keys((await state()).channels)).toHaveLength(20);
    await bounded.close();
  });

  it('ends a pause that outlasts its longest (Redis away), and pauses no more until the backlog halves', async () => {
    const bounded = new StateCacheWriter({
      redisTarget: singleRedis('redis://127.0.0.1:1'),
      keyPrefix,
      entities: new Set(['guilds', 'channels']),
      maxEvents: 100,
      maxWaitMs: 2,
      maxBuffered: 1_000,
      maxPendingEntries: 2,
      maxPauseMs: 50,
      leases,
      logger,
    });
    const calls: string[] = [];
    let resolve = () => {};
    const resumed = new Promise<void>((done) => {
      resolve = done;
    });
    bounded.attachIntake({
      pauseIntake: () => calls.push('pause'),
      resumeIntake: () => {
        calls.push('resume');
        resolve();
      },
    });
    bounded.apply(guildCreate([channel('300', 0)], [], []), 0, receipt);
    expect(calls).toEqual(['pause']);
    // Nothing answers on port 1: the write waits, the pause ends after 50 ms, and no new pause follows.
    await resumed;
    expect(bounded.pendingEntries).toBe(2);
    bounded.apply(guildCreate([channel('301', 0)], [], []), 0, receipt);
    expect(calls).toEqual(['pause', 'resume']);
    await bounded.close();
  });

  it("a new session's READY sweeps cached guilds of its shard it does not list, and no other shard's", async () => {
    // Guild ids by shard of 2: (id >> 22) % 2 — 600 is on shard 0, 4194304 (1 << 22) on shard 1.
    const leftMeanwhile = '600';
    const otherShard = '4194304';
    const created = (id: string) =>
      dispatch('GUILD_CREATE', {
        ...(guildCreate([channel(`${id}1`, 0)], [role(id, 0)], []).d as object),
        id,
      });
    await apply(created(leftMeanwhile), created(otherShard));
    expect(await redis.exists(keys.guildCache(leftMeanwhile).guild)).toBe(1);
    await apply(dispatch('READY', { guilds: [{ id: guildId, unavailable: true }], shard: [0, 2] }));
    expect(
      await redis.exists(keys.guildCache(leftMeanwhile).guild, keys.guildCache(leftMeanwhile).channels),
    ).toBe(0);
    expect(await redis.hget(keys.cachedChannelGuilds(), `${leftMeanwhile}1`)).toBeNull();
    expect(await redis.exists(keys.guildCache(otherShard).guild)).toBe(1);
    expect((await state()).guild?.unavailable).toBe(true);
  });
});
