import type {
  APIChannel,
  APIGuild,
  APIGuildMember,
  APIOverwrite,
  APIRole,
  ChannelType,
  OverwriteType,
} from 'discord-api-types/v10';

/**
 * The compact forms the shared state cache stores: the fields bots read to decide (names, owners, role
 * positions and permissions, channel overwrites, member roles and timeouts), not the raw payloads, which
 * are several times larger. Gateways write them (`apps/gateway/src/cache`), workers read them
 * (`@dgc/bot-sdk`'s `cache`), both through these functions, so the stored form has one definition.
 * Field names are Discord's, so a bot reads them as it reads the API's objects.
 */

/** What can be cached; `CACHE_ENTITIES` names a subset. */
export const cacheEntityKinds = ['guilds', 'channels', 'roles', 'members'] as const;
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
