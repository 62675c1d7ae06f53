// Over 300 lines: the compact shape of every cached entity and its conversion from the payload sit together, so a field added to one is seen beside the others.
import type {
  APIChannel,
  APIEmoji,
  APIGuild,
  APIGuildMember,
  APIOverwrite,
  APIRole,
  OverwriteType,
} from 'discord-api-types/v10';
import { ChannelType } from 'discord-api-types/v10';

/**
 * The compact forms the shared state cache stores: the fields bots read to decide (names, owners, role
 * positions and permissions, channel overwrites, member roles and timeouts), not the raw payloads, which
 * are several times larger. Gateways write them (`apps/gateway/src/cache`), workers read them
 * (`@dgc/bot-sdk`'s `cache`), both through these functions, so the stored form has one definition.
 * Field names are Discord's, so a bot reads them as it reads the API's objects.
 */

/**
 * What can be cached; `CACHE_ENTITIES` names a subset (threads, thread members and emojis only when named:
 * opt-in; thread members only with threads).
 */
export const cacheEntityKinds = [
  'guilds',
  'channels',
  'roles',
  'members',
  'threads',
  'threadMembers',
  'emojis',
] as const;
export type CacheEntityKind = (typeof cacheEntityKinds)[number];

export interface CachedGuild {
  id: string;
  name: string;
  owner_id: string;
  icon: string | null;
  /** True while Discord reports an outage for the guild (or since READY, until its GUILD_CREATE). */
  unavailable: boolean;
  /** From the guild's last GUILD_CREATE (GUILD_UPDATE does not carry it). */
  member_count?: number;
}

export interface CachedRole {
  id: string;
  name: string;
  /** Bitfield as a decimal string, as Discord sends it. */
  permissions: string;
  position: number;
  managed: boolean;
  color: number;
  hoist: boolean;
  mentionable: boolean;
}

export interface CachedOverwrite {
  /** A role id (the guild id for @everyone) or a user id, per `type`. */
  id: string;
  type: OverwriteType;
  allow: string;
  deny: string;
}

export interface CachedChannel {
  id: string;
  guild_id: string;
  type: ChannelType;
  name: string;
  position: number;
  parent_id: string | null;
  permission_overwrites: CachedOverwrite[];
}

export interface CachedMember {
  /** The member's user id. */
  id: string;
  guild_id: string;
  roles: string[];
  nick: string | null;
  /** ISO timestamp until which the member is timed out, or null. */
  communication_disabled_until: string | null;
  joined_at: string | null;
}

/** Thread channel types: a thread is cached apart from its guild's channels and inherits its parent's permissions. */
export type ThreadChannelType =
  | ChannelType.AnnouncementThread
  | ChannelType.PublicThread
  | ChannelType.PrivateThread;

const threadTypes: ReadonlySet<number> = new Set([
  ChannelType.AnnouncementThread,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
]);

export function isThreadType(type: number): type is ThreadChannelType {
  return threadTypes.has(type);
}

export interface CachedThreadMetadata {
  archived: boolean;
  locked: boolean;
  /** Minutes of inactivity after which Discord archives the thread (60, 1440, 4320, 10080). */
  auto_archive_duration: number;
  /** ISO timestamp of the last change of `archived`. */
  archive_timestamp: string;
  /** Private threads only: whether non-moderators may add members. */
  invitable?: boolean;
}

/**
 * A thread: what a bot reads to decide (its parent, owner, whether it is archived or locked, slowmode).
 * Counts (`message_count`, `member_count`) are left out: they change with every message, which Discord
 * does not announce with a THREAD_UPDATE, so a cached count would be wrong.
 */
export interface CachedThread {
  id: string;
  guild_id: string;
  /** The text, announcement or forum channel the thread is in (whose overwrites apply in it). */
  parent_id: string;
  type: ThreadChannelType;
  name: string;
  owner_id: string | null;
  thread_metadata: CachedThreadMetadata;
  rate_limit_per_user: number;
  flags: number;
}

/**
 * A user's membership of a thread (Discord's thread member object without its guild member). Who is in a
 * private thread decides who sees it; `flags` are the member's notification settings.
 */
export interface CachedThreadMember {
  /** The thread's id. */
  id: string;
  user_id: string;
  /** ISO timestamp of when the user joined the thread. */
  join_timestamp: string;
  flags: number;
}

/** A guild's custom emoji. */
export interface CachedEmoji {
  id: string;
  name: string;
  animated: boolean;
  /** False while the guild lost the boosts the emoji needs. */
  available: boolean;
  /** Roles allowed to use it (empty: everyone). */
  roles: string[];
  /** Managed by an integration (Twitch, etc.). */
  managed: boolean;
  require_colons: boolean;
}

/** The guild fields a GUILD_CREATE or GUILD_UPDATE carries (the latter without member_count). */
export type GuildPayload = Pick<APIGuild, 'id' | 'name' | 'owner_id' | 'icon'> & {
  member_count?: number;
  unavailable?: boolean;
};

export function compactGuild(guild: GuildPayload): CachedGuild {
  const compact: CachedGuild = {
    id: guild.id,
    name: guild.name,
    owner_id: guild.owner_id,
    icon: guild.icon ?? null,
    unavailable: guild.unavailable === true,
  };
  if (guild.member_count !== undefined) compact.member_count = guild.member_count;
  return compact;
}

export function compactRole(role: APIRole): CachedRole {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions,
    position: role.position,
    managed: role.managed,
    color: role.color,
    hoist: role.hoist,
    mentionable: role.mentionable,
  };
}

/** A channel as the API sends it; guild channels carry the fields below (DMs do not, and are not cached). */
type ChannelPayload = Pick<APIChannel, 'id' | 'type'> & {
  guild_id?: string;
  name?: string | null;
  position?: number;
  parent_id?: string | null;
  permission_overwrites?: APIOverwrite[];
};

/** `guildId` for channels inside a GUILD_CREATE, which carry no guild_id of their own. */
export function compactChannel(channel: ChannelPayload, guildId = channel.guild_id ?? ''): CachedChannel {
  return {
    id: channel.id,
    guild_id: guildId,
    type: channel.type,
    name: channel.name ?? '',
    position: channel.position ?? 0,
    parent_id: channel.parent_id ?? null,
    permission_overwrites: (channel.permission_overwrites ?? []).map(({ id, type, allow, deny }) => ({
      id,
      type,
      allow,
      deny,
    })),
  };
}

/** A thread as THREAD_CREATE/UPDATE, THREAD_LIST_SYNC, GUILD_CREATE and GET /channels/{id} send it. */
export type ThreadPayload = Pick<APIChannel, 'id'> & {
  type: ThreadChannelType;
  guild_id?: string;
  parent_id?: string | null;
  name?: string | null;
  owner_id?: string | null;
  thread_metadata?: Partial<CachedThreadMetadata>;
  rate_limit_per_user?: number;
  flags?: number;
};

/** `guildId` for threads inside a GUILD_CREATE, which may carry no guild_id of their own. */
export function compactThread(thread: ThreadPayload, guildId = thread.guild_id ?? ''): CachedThread {
  const metadata = thread.thread_metadata ?? {};
  const compactMetadata: CachedThreadMetadata = {
    archived: metadata.archived ?? false,
    locked: metadata.locked ?? false,
    auto_archive_duration: metadata.auto_archive_duration ?? 1440,
    archive_timestamp: metadata.archive_timestamp ?? '',
  };
  if (metadata.invitable !== undefined) compactMetadata.invitable = metadata.invitable;
  return {
    id: thread.id,
    guild_id: guildId,
    parent_id: thread.parent_id ?? '',
    type: thread.type,
    name: thread.name ?? '',
    owner_id: thread.owner_id ?? null,
    thread_metadata: compactMetadata,
    rate_limit_per_user: thread.rate_limit_per_user ?? 0,
    flags: thread.flags ?? 0,
  };
}

/** A guild emoji as GUILD_CREATE, GUILD_EMOJIS_UPDATE and GET /guilds/{id}/emojis send it (with an id). */
export function compactEmoji(emoji: APIEmoji & { id: string }): CachedEmoji {
  return {
    id: emoji.id,
    name: emoji.name ?? '',
    animated: emoji.animated ?? false,
    available: emoji.available ?? true,
    roles: emoji.roles ?? [],
    managed: emoji.managed ?? false,
    require_colons: emoji.require_colons ?? true,
  };
}

/**
 * A thread member as THREAD_MEMBER_UPDATE, THREAD_MEMBERS_UPDATE, THREAD_LIST_SYNC and GET
 * /channels/{id}/thread-members send it. GUILD_CREATE's threads carry the bot's own without `id` and
 * `user_id`: the caller passes them.
 */
export function compactThreadMember(
  member: { id?: string; user_id?: string; join_timestamp: string; flags: number },
  threadId = member.id ?? '',
  userId = member.user_id ?? '',
): CachedThreadMember {
  return { id: threadId, user_id: userId, join_timestamp: member.join_timestamp, flags: member.flags };
}

/** A membership's field in its guild's thread-members HASH: thread first, so a thread's are found by prefix. */
export function threadMemberField(threadId: string, userId: string): string {
  return `${threadId}:${userId}`;
}

/** A member as GUILD_CREATE, GUILD_MEMBER_ADD/UPDATE and GET /guilds/{id}/members/{user} send it. */
type MemberPayload = Pick<APIGuildMember, 'roles'> & {
  user: { id: string };
  nick?: string | null;
  communication_disabled_until?: string | null;
  joined_at?: string | null;
};

export function compactMember(member: MemberPayload, guildId: string): CachedMember {
  return {
    id: member.user.id,
    guild_id: guildId,
    roles: member.roles,
    nick: member.nick ?? null,
    communication_disabled_until: member.communication_disabled_until ?? null,
    joined_at: member.joined_at ?? null,
  };
}

/**
 * A guild is stored as a HASH of JSON-encoded fields, so a GUILD_UPDATE (no member_count) or an outage
 * (only `unavailable`) rewrites just the fields it knows.
 */
export function guildHashFields(guild: Partial<CachedGuild>): string[] {
  const fields: string[] = [];
  for (const [field, value] of Object.entries(guild)) {
    if (value !== undefined) fields.push(field, JSON.stringify(value));
  }
  return fields;
}

/** Reads a guild HASH back; undefined when the hash is empty or lacks its skeleton (only marked unavailable). */
export function guildFromHash(hash: Record<string, string>): CachedGuild | undefined {
  if (hash.id === undefined || hash.name === undefined) return undefined;
  const guild: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(hash)) guild[field] = JSON.parse(value);
  return guild as unknown as CachedGuild;
}
