import type {
  CachedChannel,
  CachedEmoji,
  CachedGuild,
  CachedMember,
  CachedRole,
  CachedThread,
  CachedThreadMember,
} from '@dgc/shared';

/**
 * The shared state cache as a handler reads it (`context.cache`): guilds, channels, roles, and the opted-in
 * members, threads, thread members and emojis kept in Redis by the gateways (CACHE_ENTITIES). A miss is
 * fetched over REST and kept for a while (CACHE_FALLBACK_TTL_MS); what Discord does not know comes back
 * undefined.
 */
export interface StateCache {
  guild(guildId: string): Promise<CachedGuild | undefined>;
  /** A guild channel, or a thread (tell them apart with `isThreadType(channel.type)` or `'thread_metadata' in`). */
  channel(channelId: string): Promise<CachedChannel | CachedThread | undefined>;
  /** A thread only: undefined for a channel that is not one. */
  thread(threadId: string): Promise<CachedThread | undefined>;
  /** Every role of the guild, @everyone (whose id is the guild's) included; empty when the guild is unknown. */
  roles(guildId: string): Promise<CachedRole[]>;
  /**
   * The user's membership of the thread (who is in a private thread decides who sees it), or undefined
   * when the user is not in it. The gateways keep the memberships they were told of (everyone's with the
   * GUILD_MEMBERS intent, else the bot's own); any other is asked of Discord, so a non-member costs a REST
   * call each time (absence is not kept).
   */
  threadMember(threadId: string, userId: string): Promise<CachedThreadMember | undefined>;
  /** The guild's custom emojis; empty when it has none or the guild is unknown. */
  emojis(guildId: string): Promise<CachedEmoji[]>;
  member(guildId: string, userId: string): Promise<CachedMember | undefined>;
  /**
   * The member's permissions in the channel as a bitfield (compare with `PermissionFlagsBits`), by
   * Discord's documented algorithm; in a thread, by its parent channel's overwrites (threads inherit them).
   * 0n when the guild, or a thread's parent, is unknown.
   */
  permissionsIn(channel: CachedChannel | CachedThread, member: CachedMember): Promise<bigint>;
  /** Whether `actor` ranks above `target` (owner, then highest role position); see `canModerate`. */
  canModerate(actor: CachedMember, target: CachedMember): Promise<boolean>;
}
