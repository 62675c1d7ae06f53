import type { CachedChannel, CachedGuild, CachedMember, CachedRole } from '@dgc/shared';

/**
 * The shared state cache as a handler reads it (`context.cache`): guilds, channels, roles and opted-in
 * members kept in Redis by the gateways (CACHE_ENTITIES). A miss is fetched over REST and kept for a
 * while (CACHE_FALLBACK_TTL_MS); what Discord does not know comes back undefined.
 */
export interface StateCache {
  guild(guildId: string): Promise<CachedGuild | undefined>;
  channel(channelId: string): Promise<CachedChannel | undefined>;
  /** Every role of the guild, @everyone (whose id is the guild's) included; empty when the guild is unknown. */
  roles(guildId: string): Promise<CachedRole[]>;
  member(guildId: string, userId: string): Promise<CachedMember | undefined>;
  /**
   * The member's permissions in the channel as a bitfield (compare with `PermissionFlagsBits`), by
   * Discord's documented algorithm; 0n when the guild is unknown.
   */
  permissionsIn(channel: CachedChannel, member: CachedMember): Promise<bigint>;
  /** Whether `actor` ranks above `target` (owner, then highest role position); see `canModerate`. */
  canModerate(actor: CachedMember, target: CachedMember): Promise<boolean>;
}
