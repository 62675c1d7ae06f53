import {
  type CachedEmoji,
  type CachedThreadMember,
  type CacheEntityKind,
  compactChannel,
  compactEmoji,
  compactGuild,
  compactMember,
  compactRole,
  compactThread,
  compactThreadMember,
  type Redis,
  type RedisKeys,
  type ThreadPayload,
} from '@dgc/shared';
import type {
  APIEmoji,
  GatewayChannelCreateDispatchData,
  GatewayChannelDeleteDispatchData,
  GatewayGuildCreateDispatchData,
  GatewayGuildDeleteDispatchData,
  GatewayGuildEmojisUpdateDispatchData,
  GatewayGuildMemberAddDispatchData,
  GatewayGuildMemberRemoveDispatchData,
  GatewayGuildMemberUpdateDispatchData,
  GatewayGuildRoleCreateDispatchData,
  GatewayGuildRoleDeleteDispatchData,
  GatewayGuildUpdateDispatchData,
  GatewayReadyDispatchData,
  GatewayThreadCreateDispatchData,
  GatewayThreadDeleteDispatchData,
  GatewayThreadListSyncDispatchData,
  GatewayThreadMembersUpdateDispatchData,
  GatewayThreadMemberUpdateDispatchData,
} from 'discord-api-types/v10';
import type { CacheBatch } from './cache-batch.js';
import { staleGuildsOfShard } from './cached-guild-scan.js';
import {
  type GuildReplacement,
  type SerializedGuildReplacement,
  serializeGuildReplacement,
} from './guild-replacement.js';

/** One dispatch's cache writes, prepared when it arrives, applied to a batch when it is flushed. */
export interface PreparedCacheWrite {
  /** Entries it writes: what it costs while it waits (the writer bounds the sum). */
  weight: number;
  /** Reads the write needs from the cache first, in the shard's order (the writer awaits it before the batch). */
  before?: (redis: Redis, keys: RedisKeys) => Promise<void>;
  apply(batch: CacheBatch): void;
}

/**
 * Turns one dispatch's payload into its prepared writes (undefined: nothing to write). Called as the
 * dispatch arrives, so what waits for the next flush holds the compact form, never the raw payload.
 */
export type CacheWriteOf = (data: never) => PreparedCacheWrite | undefined;

/** A write of one entry. */
const one = (apply: (batch: CacheBatch) => void): PreparedCacheWrite => ({ weight: 1, apply });

/*
 * The writes that wait longest are built here, apart from the handlers that read the payload: V8 keeps every
 * variable any closure of a function uses in one context shared by all its closures, so an `apply` created
 * beside a callback reading `guild` (`guild.channels.map((channel) => … guild.id)`) would keep the whole raw
 * GUILD_CREATE alive until Redis answers, and a payload alive at a young collection is promoted to the old
 * generation, where it stays as garbage until a full collection.
 */

/** A guild Discord reports unavailable: marked, what is known kept. */
function unavailableGuild(guildId: string): PreparedCacheWrite {
  return one((batch) => batch.setGuildFields(guildId, { unavailable: true }));
}

/** A GUILD_CREATE's replacement, holding only its serialised arguments while it waits. */
function guildReplacementWrite(serialized: SerializedGuildReplacement): PreparedCacheWrite {
  return { weight: serialized.weight, apply: (batch) => batch.replaceGuild(serialized) };
}

/** Channels with a guild and a place in its list (threads come through THREAD_* events, cached apart). */
function isGuildChannel(channel: { guild_id?: string }): channel is { guild_id: string } {
  return typeof channel.guild_id === 'string';
}

/**
 * Which dispatch events change the cache, and how, for the cached entities: built once at start, so the
 * router's question per event is one Map lookup and events the cache does not need cost nothing more.
 * Every write sets or deletes whole entries, so replaying an event (after a resume) writes the same state.
 */
export function cacheEventTable(entities: ReadonlySet<CacheEntityKind>): ReadonlyMap<string, CacheWriteOf> {
  const table = new Map<string, CacheWriteOf>();
  const on = <Data>(event: string, prepare: (data: Data) => PreparedCacheWrite | undefined) => {
    table.set(event, prepare as CacheWriteOf);
  };
  if (entities.size === 0) return table;
  const guilds = entities.has('guilds');
  const channels = entities.has('channels');
  const roles = entities.has('roles');
  const members = entities.has('members');
  const threads = entities.has('threads');
  const threadMembers = threads && entities.has('threadMembers');
  const emojis = entities.has('emojis');
  // GUILD_CREATE's threads carry the bot's own membership without its user id: READY (always before a
  // session's GUILD_CREATEs) names the bot. Unknown (a process that only resumed), those are left out:
  // a reader's miss asks Discord.
  let botUserId: string | undefined;

  // A new session's GUILD_CREATE (or a guild back from an outage, or a join) replaces everything cached.
  on<GatewayGuildCreateDispatchData>('GUILD_CREATE', (guild) => {
    if (guild.unavailable) return guilds ? unavailableGuild(guild.id) : undefined;
    const { id } = guild;
    const replacement: GuildReplacement = {};
    if (guilds) replacement.guild = compactGuild({ ...guild, unavailable: false });
    if (channels) replacement.channels = guild.channels.map((channel) => compactChannel(channel, id));
    if (roles) replacement.roles = guild.roles.map(compactRole);
    if (members) replacement.members = guild.members.map((member) => compactMember(member, id));
    if (threads)
      replacement.threads = (guild.threads ?? []).map((thread) => compactThread(thread as ThreadPayload, id));
    if (threadMembers) replacement.threadMembers = botMemberships(guild.threads ?? [], botUserId);
    if (emojis) replacement.emojis = guildEmojis(guild.emojis ?? []);
    return guildReplacementWrite(serializeGuildReplacement(id, replacement));
  });
  on<GatewayGuildDeleteDispatchData>('GUILD_DELETE', ({ id, unavailable }) => {
    // An outage keeps what is known, marked; anything else means the bot is no longer in the guild.
    if (!unavailable) return one((batch) => batch.deleteGuild(id));
    return guilds ? unavailableGuild(id) : undefined;
  });
  if (guilds || threadMembers) {
    // After an identify, every guild is unavailable until its GUILD_CREATE arrives (and stays marked if
    // Discord reports an outage instead).
    // A new session's READY lists every guild of its shard: cached guilds of the shard it does not list were
    // left while no session ran (no GUILD_DELETE came) and are swept, in the shard's order, before any
    // later GUILD_CREATE of the session.
    on<GatewayReadyDispatchData>('READY', (ready) => {
      if (threadMembers) botUserId = ready.user.id;
      if (!guilds) return undefined;
      const ids = ready.guilds.map((guild) => guild.id);
      const shard = ready.shard ?? [0, 1];
      let stale: string[] = [];
      return {
        weight: ids.length,
        before: async (redis, keys) => {
          stale = await staleGuildsOfShard(redis, keys, new Set(ids), shard);
        },
        apply: (batch) => {
          for (const id of stale) batch.deleteGuild(id);
          for (const id of ids) batch.setGuildFields(id, { unavailable: true });
        },
      };
    });
  }
  if (guilds) {
    on<GatewayGuildUpdateDispatchData>('GUILD_UPDATE', (guild) => {
      const { member_count: _notSent, id, ...fields } = compactGuild(guild);
      return one((batch) => batch.setGuildFields(id, fields));
    });
  }
  if (channels) {
    const setChannel = (channel: GatewayChannelCreateDispatchData) => {
      if (!isGuildChannel(channel)) return undefined;
      const compact = compactChannel(channel);
      return one((batch) => batch.setChannel(compact));
    };
    on('CHANNEL_CREATE', setChannel);
    on('CHANNEL_UPDATE', setChannel);
    on<GatewayChannelDeleteDispatchData>('CHANNEL_DELETE', (channel) => {
      if (!isGuildChannel(channel)) return undefined;
      const { guild_id: guildId, id } = channel;
      return one((batch) => batch.deleteChannel(guildId, id, threads));
    });
  }
  if (roles) {
    const setRole = ({ guild_id: guildId, role }: GatewayGuildRoleCreateDispatchData) => {
      const compact = compactRole(role);
      return one((batch) => batch.setRole(guildId, compact));
    };
    on('GUILD_ROLE_CREATE', setRole);
    on('GUILD_ROLE_UPDATE', setRole);
    on<GatewayGuildRoleDeleteDispatchData>('GUILD_ROLE_DELETE', ({ guild_id: guildId, role_id: roleId }) =>
      one((batch) => batch.deleteRole(guildId, roleId)),
    );
  }
  if (members) {
    const setMember = (member: GatewayGuildMemberAddDispatchData | GatewayGuildMemberUpdateDispatchData) => {
      const compact = compactMember(member, member.guild_id);
      return one((batch) => batch.setMember(compact));
    };
    on('GUILD_MEMBER_ADD', setMember);
    on('GUILD_MEMBER_UPDATE', setMember);
    on<GatewayGuildMemberRemoveDispatchData>('GUILD_MEMBER_REMOVE', ({ guild_id: guildId, user }) => {
      const userId = user.id;
      return one((batch) => batch.deleteMember(guildId, userId));
    });
  }
  if (threads) {
    // A thread event without a guild (none is known) has nothing to cache.
    const setThread = (thread: ThreadPayload) => {
      if (!thread.guild_id) return undefined;
      const compact = compactThread(thread);
      return one((batch) => batch.setThread(compact));
    };
    // THREAD_CREATE also tells the bot it was added to an existing private thread, with its membership.
    on<GatewayThreadCreateDispatchData>('THREAD_CREATE', (thread) => {
      const write = setThread(thread as ThreadPayload);
      const { guild_id: guildId } = thread;
      if (!write || !threadMembers || !thread.member?.user_id || !guildId) return write;
      const membership = compactThreadMember(thread.member, thread.id);
      return {
        weight: 2,
        apply: (batch) => {
          write.apply(batch);
          batch.updateThreadMembers(guildId, membership.id, [membership]);
        },
      };
    });
    on('THREAD_UPDATE', setThread);
    on<GatewayThreadDeleteDispatchData>('THREAD_DELETE', ({ guild_id: guildId, id }) =>
      one((batch) => batch.deleteThread(guildId, id, threadMembers)),
    );
    on<GatewayThreadListSyncDispatchData>('THREAD_LIST_SYNC', (sync) => {
      const guildId = sync.guild_id;
      const parentIds = sync.channel_ids;
      const synced = sync.threads.map((thread) => compactThread(thread as ThreadPayload, guildId));
      const memberships = threadMembers ? sync.members.map((member) => compactThreadMember(member)) : [];
      const bot = botUserId;
      return {
        weight: 1 + synced.length + memberships.length,
        // The bot as named when the event arrived: set only when thread members are cached, and unknown
        // to a process that only resumed (its old memberships of synced threads then stay until the next
        // session).
        apply: (batch) => batch.syncThreads(guildId, parentIds, synced, memberships, bot),
      };
    });
  }
  if (threadMembers) {
    // Always the bot's own membership (its notification settings changed).
    on<GatewayThreadMemberUpdateDispatchData>('THREAD_MEMBER_UPDATE', (member) => {
      const guildId = member.guild_id;
      const compact = compactThreadMember(member);
      return one((batch) => batch.updateThreadMembers(guildId, compact.id, [compact]));
    });
    // Anyone's, with the GUILD_MEMBERS intent; without it, only the bot's own additions and removals.
    on<GatewayThreadMembersUpdateDispatchData>('THREAD_MEMBERS_UPDATE', (update) => {
      const { id: threadId, guild_id: guildId } = update;
      const added = (update.added_members ?? []).map((member) => compactThreadMember(member, threadId));
      const removed = update.removed_member_ids ?? [];
      if (added.length === 0 && removed.length === 0) return undefined;
      return {
        weight: added.length + removed.length,
        apply: (batch) => batch.updateThreadMembers(guildId, threadId, added, removed),
      };
    });
  }
  if (emojis) {
    on<GatewayGuildEmojisUpdateDispatchData>('GUILD_EMOJIS_UPDATE', ({ guild_id: guildId, emojis: set }) => {
      const compact = guildEmojis(set);
      return { weight: 1 + compact.length, apply: (batch) => batch.setEmojis(guildId, compact) };
    });
  }
  return table;
}

/** The bot's memberships among GUILD_CREATE's threads (each carries its own as `member`, without ids). */
function botMemberships(
  threads: GatewayGuildCreateDispatchData['threads'],
  botUserId: string | undefined,
): CachedThreadMember[] {
  if (botUserId === undefined) return [];
  return threads.flatMap((thread) =>
    'member' in thread && thread.member ? [compactThreadMember(thread.member, thread.id, botUserId)] : [],
  );
}

/** A guild's emojis in compact form (a guild emoji always has an id; one without is skipped). */
function guildEmojis(emojis: readonly APIEmoji[]): CachedEmoji[] {
  return emojis.flatMap((emoji) => (emoji.id ? [compactEmoji({ ...emoji, id: emoji.id })] : []));
}
