import type { CacheEntityKind } from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheWriterFixture } from '../testing/cache-writer-fixture.js';

const guildId = '700';
const botId = '900';
const joined = '2025-02-01T00:00:00.000Z';

function dispatch(t: string, d: object): GatewayDispatchPayload {
  return { op: 0, t, s: 1, d } as unknown as GatewayDispatchPayload;
}

const channel = (id: string) => ({ id, type: 0, name: `c${id}`, position: 0, permission_overwrites: [] });
const thread = (id: string, parentId: string, extra: object = {}) => ({
  id,
  guild_id: guildId,
  parent_id: parentId,
  owner_id: '7',
  type: 12,
  name: `t${id}`,
  rate_limit_per_user: 0,
  flags: 0,
  message_count: 0,
  member_count: 1,
  thread_metadata: {
    archived: false,
    locked: false,
    auto_archive_duration: 1440,
    archive_timestamp: joined,
  },
  ...extra,
});
const membership = (threadId: string, userId: string, flags = 0) => ({
  id: threadId,
  user_id: userId,
  join_timestamp: joined,
  flags,
});
const ready = dispatch('READY', {
  v: 10,
  user: { id: botId, username: 'bot', bot: true },
  guilds: [{ id: guildId, unavailable: true }],
  session_id: 's',
  resume_gateway_url: 'ws://localhost',
  shard: [0, 1],
});
/** GUILD_CREATE's threads carry the bot's membership as `member`, without `id` and `user_id`. */
const guildCreate = (threads: object[]) =>
  dispatch('GUILD_CREATE', {
    id: guildId,
    name: 'Thread members guild',
    owner_id: '7',
    icon: null,
    member_count: 3,
    unavailable: false,
    channels: [channel('1'), channel('2'), channel('3')],
    roles: [],
    members: [],
    threads,
    emojis: [],
  });
const membersUpdate = (threadId: string, added: string[], removed: string[] = []) =>
  dispatch('THREAD_MEMBERS_UPDATE', {
    id: threadId,
    guild_id: guildId,
    member_count: added.length,
    added_members: added.map((userId) => ({
      ...membership(threadId, userId),
      member: { user: { id: userId } },
    })),
    removed_member_ids: removed,
  });

/**
 * Opt-in thread members in the state cache, against real Redis: the bot's own memberships from
 * GUILD_CREATE (named by READY), THREAD_CREATE, THREAD_LIST_SYNC and THREAD_MEMBER_UPDATE; everyone's from
 * THREAD_MEMBERS_UPDATE; memberships going with their thread (THREAD_DELETE, a sync, a channel's deletion,
 * the guild's), resume replays.
 */
describe('StateCacheWriter with thread members', () => {
  const entities: CacheEntityKind[] = ['guilds', 'channels', 'threads', 'threadMembers'];
  const { keys, redis, make, apply, cleanup } = cacheWriterFixture('cache-thread-members', entities);
  const guildKeys = keys.guildCache(guildId);

  afterAll(() => cleanup());

  async function memberships(): Promise<Record<string, unknown>> {
    const stored = await redis.hgetall(guildKeys.threadMembers);
    return Object.fromEntries(Object.entries(stored).map(([field, json]) => [field, JSON.parse(json)]));
  }

  it('leaves memberships alone unless opted in', async () => {
    const writer = make(['guilds', 'channels', 'threads']);
    expect(writer.handles('THREAD_MEMBERS_UPDATE')).toBe(false);
    expect(writer.handles('THREAD_MEMBER_UPDATE')).toBe(false);
    await apply(
      writer,
      ready,
      guildCreate([{ ...thread('10', '1'), member: { join_timestamp: joined, flags: 1 } }]),
    );
    expect(await memberships()).toEqual({});
  });

  const writes = [
    ready,
    guildCreate([{ ...thread('10', '1'), member: { join_timestamp: joined, flags: 1 } }, thread('11', '2')]),
    membersUpdate('11', ['7', '8']),
    membersUpdate('11', [], ['8']),
    dispatch('THREAD_MEMBER_UPDATE', { ...membership('10', botId, 2), guild_id: guildId }),
    // The bot added to an existing private thread: THREAD_CREATE with its membership.
    dispatch('THREAD_CREATE', { ...thread('12', '3'), member: membership('12', botId) }),
    membersUpdate('12', ['7']),
    dispatch('THREAD_CREATE', { ...thread('13', '1'), newly_created: true }),
    membersUpdate('13', ['7']),
    dispatch('THREAD_DELETE', { id: '13', guild_id: guildId, parent_id: '1', type: 12 }),
    // Access to channel 2 regained: thread 11 is gone (with 7's membership), 14 is new with the bot in it.
    dispatch('THREAD_LIST_SYNC', {
      guild_id: guildId,
      channel_ids: ['2'],
      threads: [thread('14', '2')],
      members: [membership('14', botId, 1)],
    }),
    // Channel 3 goes with thread 12 and both its memberships (Discord sends no event for them).
    dispatch('CHANNEL_DELETE', { ...channel('3'), guild_id: guildId }),
  ];

  it('applies memberships in order and drops them with their threads', async () => {
    const stale = keys.cacheFallback('threadMember', '11:8');
    await redis.set(stale, JSON.stringify(membership('11', '8')), 'PX', 60_000);
    const writer = make();
    await apply(writer, ...writes.slice(0, 4));
    expect(await memberships()).toEqual({
      [`10:${botId}`]: membership('10', botId, 1),
      '11:7': membership('11', '7'),
    });
    // The worker's REST copy of a membership the gateway saw end is dropped with it.
    expect(await redis.exists(stale)).toBe(0);
    const index = async () => Object.keys(await redis.hgetall(keys.cachedChannelGuilds())).sort();
    await apply(writer, ...writes.slice(4, -1));
    // The sync that set the bot's membership swept thread 11 from the channel index too.
    expect(await index()).toEqual(['1', '10', '12', '14', '2', '3']);
    await apply(writer, ...writes.slice(-1));
    expect(await memberships()).toEqual({
      [`10:${botId}`]: membership('10', botId, 2),
      [`14:${botId}`]: membership('14', botId, 1),
    });
    expect(await index()).toEqual(['1', '10', '14', '2']);
  });

  it('ends in the same state when a resume replays the events', async () => {
    const writer = make();
    const before = await memberships();
    await apply(writer, ...writes.slice(2));
    await apply(writer, ...writes.slice(6));
    expect(await memberships()).toEqual(before);
  });

  it("THREAD_LIST_SYNC ends the bot's memberships of the synced threads it does not list", async () => {
    const writer = make();
    await apply(
      writer,
      ready,
      guildCreate([
        { ...thread('20', '1'), member: { join_timestamp: joined, flags: 1 } },
        { ...thread('21', '1'), member: { join_timestamp: joined, flags: 1 } },
        { ...thread('22', '2'), member: { join_timestamp: joined, flags: 1 } },
      ]),
      membersUpdate('21', ['7']),
    );
    // Channel 1 synced again: the bot is still in 20, no longer in 21; 22 (channel 2) is not in scope.
    const sync = dispatch('THREAD_LIST_SYNC', {
      guild_id: guildId,
      channel_ids: ['1'],
      threads: [thread('20', '1'), thread('21', '1')],
      members: [membership('20', botId, 1)],
    });
    await apply(writer, sync);
    const expected = {
      [`20:${botId}`]: membership('20', botId, 1),
      '21:7': membership('21', '7'),
      [`22:${botId}`]: membership('22', botId, 1),
    };
    expect(await memberships()).toEqual(expected);
    await apply(writer, sync);
    expect(await memberships()).toEqual(expected);
  });

  it("a new session's GUILD_CREATE keeps only the bot's memberships it lists", async () => {
    const writer = make();
    await apply(writer, membersUpdate('10', ['7']));
    await apply(
      writer,
      ready,
      guildCreate([{ ...thread('10', '1'), member: { join_timestamp: joined, flags: 4 } }]),
    );
    expect(await memberships()).toEqual({ [`10:${botId}`]: membership('10', botId, 4) });
  });

  it('without READY (a process that only resumed), GUILD_CREATE sweeps memberships but cannot name the bot', async () => {
    const writer = make();
    await apply(
      writer,
      guildCreate([{ ...thread('10', '1'), member: { join_timestamp: joined, flags: 4 } }]),
    );
    expect(await memberships()).toEqual({});
  });

  it('drops memberships with the guild', async () => {
    const writer = make();
    await apply(
      writer,
      ready,
      guildCreate([{ ...thread('10', '1'), member: { join_timestamp: joined, flags: 4 } }]),
    );
    expect(Object.keys(await memberships())).toEqual([`10:${botId}`]);
    await apply(writer, dispatch('GUILD_DELETE', { id: guildId }));
    expect(await memberships()).toEqual({});
  });
});
