import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheWriterFixture } from '../testing/cache-writer-fixture.js';

const guildId = '600';

function dispatch(t: string, d: object): GatewayDispatchPayload {
  return { op: 0, t, s: 1, d } as unknown as GatewayDispatchPayload;
}

const channel = (id: string) => ({ id, type: 0, name: `c${id}`, position: 0, permission_overwrites: [] });
const thread = (id: string, parentId: string, archived = false, extra: object = {}) => ({
  id,
  guild_id: guildId,
  parent_id: parentId,
  owner_id: '7',
  type: 11,
  name: `t${id}`,
  rate_limit_per_user: 0,
  flags: 0,
  message_count: 3,
  member_count: 2,
  thread_metadata: {
    archived,
    locked: false,
    auto_archive_duration: 1440,
    archive_timestamp: '2025-01-01T00:00:00.000Z',
  },
  ...extra,
});
const emoji = (id: string, extra: object = {}) => ({
  id,
  name: `e${id}`,
  roles: [],
  require_colons: true,
  managed: false,
  animated: false,
  available: true,
  user: { id: '7', username: 'u7' },
  ...extra,
});
const guildCreate = (threads: object[], emojis: object[]) =>
  dispatch('GUILD_CREATE', {
    id: guildId,
    name: 'Threads guild',
    owner_id: '7',
    icon: null,
    member_count: 3,
    unavailable: false,
    channels: [channel('1'), channel('2'), channel('3')],
    roles: [],
    members: [],
    // GUILD_CREATE's threads may carry no guild_id of their own.
    threads: threads.map(({ guild_id: _guildId, ...rest }: { guild_id?: string }) => rest),
    emojis,
  });

/**
 * Opt-in threads and emojis in the state cache, against real Redis: GUILD_CREATE's, THREAD_*,
 * THREAD_LIST_SYNC (active threads of the listed parents replaced, archived ones kept), a channel's deletion
 * sweeping its threads (Discord sends no THREAD_DELETE for them), the channel index, resume replays.
 */
describe('StateCacheWriter with threads and emojis', () => {
  const { keys, redis, make, apply, cleanup } = cacheWriterFixture('cache-threads');
  const guildKeys = keys.guildCache(guildId);

  afterAll(() => cleanup());

  async function state() {
    const [threads, emojis, channels, index] = await Promise.all([
      redis.hgetall(guildKeys.threads),
      redis.get(guildKeys.emojis),
      redis.hkeys(guildKeys.channels),
      redis.hgetall(keys.cachedChannelGuilds()),
    ]);
    const parsed = Object.fromEntries(Object.entries(threads).map(([id, json]) => [id, JSON.parse(json)]));
    return {
      threads: parsed,
      emojis: emojis === null ? null : JSON.parse(emojis),
      channels: channels.sort(),
      index,
    };
  }

  it('leaves threads and emojis alone unless opted in', async () => {
    const writer = make(['guilds', 'channels']);
    expect(writer.handles('THREAD_CREATE')).toBe(false);
    expect(writer.handles('GUILD_EMOJIS_UPDATE')).toBe(false);
    await apply(writer, guildCreate([thread('10', '1')], [emoji('50')]));
    const { threads, emojis, index } = await state();
    expect(threads).toEqual({});
    expect(emojis).toBeNull();
    expect(Object.keys(index).sort()).toEqual(['1', '2', '3']);
  });

  const writes = [
    guildCreate([thread('10', '1'), thread('11', '2')], [emoji('50'), emoji('51', { animated: true })]),
    dispatch('THREAD_CREATE', { ...thread('12', '1'), newly_created: true }),
    dispatch('THREAD_UPDATE', thread('11', '2', true, { name: 'archived', rate_limit_per_user: 30 })),
    dispatch('THREAD_CREATE', thread('13', '3', false, { type: 12, thread_metadata: { invitable: false } })),
    dispatch('THREAD_DELETE', { id: '10', guild_id: guildId, parent_id: '1', type: 11 }),
    // Access to channels 1 and 2 regained: 12 is gone, 14 is new, archived 11 is not listed but stays.
    dispatch('THREAD_LIST_SYNC', {
      guild_id: guildId,
      channel_ids: ['1', '2'],
      threads: [thread('14', '1')],
      members: [],
    }),
    // Within the same batch: 12 comes back (the bot was added to it), so it stays in the channel index.
    dispatch('THREAD_CREATE', thread('12', '1')),
    dispatch('CHANNEL_DELETE', { ...channel('3'), guild_id: guildId }),
    dispatch('GUILD_EMOJIS_UPDATE', {
      guild_id: guildId,
      emojis: [emoji('51', { available: false }), emoji('52')],
    }),
  ];

  it('applies GUILD_CREATE, THREAD_* and GUILD_EMOJIS_UPDATE in order', async () => {
    const writer = make(['guilds', 'channels', 'threads', 'emojis']);
    await apply(writer, ...writes);
    const { threads, emojis, channels, index } = await state();
    expect(Object.keys(threads).sort()).toEqual(['11', '12', '14']);
    expect(threads['11']).toEqual({
      id: '11',
      guild_id: guildId,
      parent_id: '2',
      type: 11,
      name: 'archived',
      owner_id: '7',
      thread_metadata: {
        archived: true,
        locked: false,
        auto_archive_duration: 1440,
        archive_timestamp: '2025-01-01T00:00:00.000Z',
      },
      rate_limit_per_user: 30,
      flags: 0,
    });
    // Channel 3 went with its private thread 13, though no THREAD_DELETE came for it.
    expect(channels).toEqual(['1', '2']);
    expect(index).toEqual({ '1': guildId, '2': guildId, '11': guildId, '12': guildId, '14': guildId });
    expect(emojis).toEqual([
      {
        id: '51',
        name: 'e51',
        animated: false,
        available: false,
        roles: [],
        managed: false,
        require_colons: true,
      },
      {
        id: '52',
        name: 'e52',
        animated: false,
        available: true,
        roles: [],
        managed: false,
        require_colons: true,
      },
    ]);
  });

  it('ends in the same state when a resume replays the events', async () => {
    const writer = make(['guilds', 'channels', 'threads', 'emojis']);
    const before = await state();
    await apply(writer, ...writes.slice(1));
    await apply(writer, ...writes.slice(4));
    expect(await state()).toEqual(before);
  });

  it("a whole-guild THREAD_LIST_SYNC replaces every active thread; a new session's GUILD_CREATE all of them", async () => {
    const writer = make(['guilds', 'channels', 'threads', 'emojis']);
    await apply(
      writer,
      dispatch('THREAD_LIST_SYNC', { guild_id: guildId, threads: [thread('15', '2')], members: [] }),
    );
    let { threads, index } = await state();
    expect(Object.keys(threads).sort()).toEqual(['11', '15']);
    expect(Object.keys(index).sort()).toEqual(['1', '11', '15', '2']);
    await apply(writer, guildCreate([thread('16', '1')], []));
    ({ threads, index } = await state());
    expect(Object.keys(threads)).toEqual(['16']);
    expect(Object.keys(index).sort()).toEqual(['1', '16', '2', '3']);
    expect((await state()).emojis).toEqual([]);
  });

  it('drops threads and emojis with the guild', async () => {
    const writer = make(['guilds', 'channels', 'threads', 'emojis']);
    await apply(writer, dispatch('GUILD_DELETE', { id: guildId }));
    expect(await state()).toEqual({ threads: {}, emojis: null, channels: [], index: {} });
  });
});
