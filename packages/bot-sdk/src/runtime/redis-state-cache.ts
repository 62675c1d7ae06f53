import {
  type CachedChannel,
  type CachedEmoji,
  type CachedGuild,
  type CachedMember,
  type CachedRole,
  type CachedThread,
  type CachedThreadMember,
  compactChannel,
  compactEmoji,
  compactGuild,
  compactMember,
  compactRole,
  compactThread,
  compactThreadMember,
  guildFromHash,
  isThreadType,
  type Redis,
  RedisKeys,
  threadMemberField,
} from '@dgc/shared';
import { DiscordAPIError, type REST } from '@discordjs/rest';
import {
  type APIChannel,
  type APIEmoji,
  type APIGuild,
  type APIGuildMember,
  type APIRole,
  type APIThreadMember,
  Routes,
} from 'discord-api-types/v10';
import { canModerate, permissionsIn } from '../cache/permissions.js';
import type { StateCache } from '../cache/state-cache.js';

export type CacheEntity = 'guild' | 'channel' | 'thread' | 'threadMember' | 'roles' | 'member' | 'emojis';
/** hit: kept by the gateways; fallbackHit: fetched earlier over REST; fallback: fetched now; missing: not at Discord either. */
export type CacheLookupOutcome = 'hit' | 'fallbackHit' | 'fallback' | 'missing';

export interface StateCacheObserver {
  lookup(entity: CacheEntity, outcome: CacheLookupOutcome): void;
}

export interface RedisStateCacheOptions {
  redis: Redis;
  rest: REST;
  keyPrefix: string;
  /** How long an entity fetched over REST is kept (the gateways drop it sooner when they see a change). */
  fallbackTtlMs: number;
  observer?: StateCacheObserver;
}

/**
 * Reads the state cache the gateways keep (`apps/gateway/src/cache`). Each getter reads the gateway's
 * entry and a REST fallback copy in one round trip; on a double miss it asks Discord and keeps the answer
 * with a TTL. Shared by every handler of the process: it holds no per-event state.
 * A fallback copy written just after a gateway saw a change (and dropped the older copy) can be stale
 * for up to its TTL; entities the gateways keep are read from their entries first, so this only concerns
 * what they do not keep (members unless opted in, or anything before a guild's GUILD_CREATE).
 */
export class RedisStateCache implements StateCache {
  readonly #redis: Redis;
  readonly #rest: REST;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;
  readonly #observer: StateCacheObserver | undefined;

  constructor(options: RedisStateCacheOptions) {
    this.#redis = options.redis;
    this.#rest = options.rest;
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#ttlMs = options.fallbackTtlMs;
    this.#observer = options.observer;
  }

  async guild(guildId: string): Promise<CachedGuild | undefined> {
    const fallbackKey = this.#keys.cacheFallback('guild', guildId);
    // Two slots on a Redis Cluster (the fallback key has no guild tag): two commands in flight at once.
    const [hash, fallback] = await Promise.all([
      this.#redis.hgetall(this.#keys.guildCache(guildId).guild),
      this.#redis.get(fallbackKey),
    ]);
    const cached = guildFromHash(hash);
    if (cached) return this.#found('guild', cached);
    return this.#fallback('guild', fallback, fallbackKey, async () => {
      const query = new URLSearchParams({ with_counts: 'true' });
      const guild = (await this.#rest.get(Routes.guild(guildId), { query })) as APIGuild;
      return compactGuild({ ...guild, member_count: guild.approximate_member_count });
    });
  }

  /** A guild channel or a thread: the channel index names the guild, whose channels or threads hold it. */
  channel(channelId: string): Promise<CachedChannel | CachedThread | undefined> {
    return this.#channelOrThread('channel', channelId);
  }

  /** Counted apart from `channel` (entity `thread`); a thread not cached comes from GET /channels/{id}. */
  async thread(threadId: string): Promise<CachedThread | undefined> {
    const channel = await this.#channelOrThread('thread', threadId);
    return channel && isThreadType(channel.type) ? (channel as CachedThread) : undefined;
  }

  /** The channel index names the thread's guild, whose thread-members hash holds `<thread>:<user>`. */
  async threadMember(threadId: string, userId: string): Promise<CachedThreadMember | undefined> {
    const field = threadMemberField(threadId, userId);
    const fallbackKey = this.#keys.cacheFallback('threadMember', field);
    const [guildId, fallback] = await Promise.all([
      this.#redis.hget(this.#keys.cachedChannelGuilds(), threadId),
      this.#redis.get(fallbackKey),
    ]);
    const json = guildId ? await this.#redis.hget(this.#keys.guildCache(guildId).threadMembers, field) : null;
    if (json) return this.#found('threadMember', JSON.parse(json) as CachedThreadMember);
    return this.#fallback('threadMember', fallback, fallbackKey, async () =>
      compactThreadMember((await this.#rest.get(Routes.threadMembers(threadId, userId))) as APIThreadMember),
    );
  }

  async emojis(guildId: string): Promise<CachedEmoji[]> {
    const fallbackKey = this.#keys.cacheFallback('emojis', guildId);
    const [json, fallback] = await Promise.all([
      this.#redis.get(this.#keys.guildCache(guildId).emojis),
      this.#redis.get(fallbackKey),
    ]);
    // A JSON array, `[]` included: the gateways keep the set whole, so an empty one is known to be empty.
    if (json !== null) return this.#found('emojis', JSON.parse(json) as CachedEmoji[]);
    const emojis = await this.#fallback('emojis', fallback, fallbackKey, async () =>
      ((await this.#rest.get(Routes.guildEmojis(guildId))) as APIEmoji[]).flatMap((emoji) =>
        emoji.id ? [compactEmoji({ ...emoji, id: emoji.id })] : [],
      ),
    );
    return emojis ?? [];
  }

  async roles(guildId: string): Promise<CachedRole[]> {
    const fallbackKey = this.#keys.cacheFallback('roles', guildId);
    const [values, fallback] = await Promise.all([
      this.#redis.hvals(this.#keys.guildCache(guildId).roles),
      this.#redis.get(fallbackKey),
    ]);
    // A guild always has @everyone: no entry means not cached.
    if (values.length > 0)
      return this.#found(
        'roles',
        values.map((json) => JSON.parse(json) as CachedRole),
      );
    const roles = await this.#fallback('roles', fallback, fallbackKey, async () =>
      ((await this.#rest.get(Routes.guildRoles(guildId))) as APIRole[]).map(compactRole),
    );
    return roles ?? [];
  }

  async member(guildId: string, userId: string): Promise<CachedMember | undefined> {
    const fallbackKey = this.#keys.cacheFallback('member', `${guildId}:${userId}`);
    const [json, fallback] = await Promise.all([
      this.#redis.hget(this.#keys.guildCache(guildId).members, userId),
      this.#redis.get(fallbackKey),
    ]);
    if (json) return this.#found('member', JSON.parse(json) as CachedMember);
    return this.#fallback('member', fallback, fallbackKey, async () =>
      compactMember((await this.#rest.get(Routes.guildMember(guildId, userId))) as APIGuildMember, guildId),
    );
  }

  /** In a thread, by its parent channel's overwrites (threads inherit them); 0n when the parent is unknown. */
  async permissionsIn(channel: CachedChannel | CachedThread, member: CachedMember): Promise<bigint> {
    const [guild, roles, parent] = await Promise.all([
      this.guild(channel.guild_id),
      this.roles(channel.guild_id),
      'thread_metadata' in channel ? this.channel(channel.parent_id) : undefined,
    ]);
    if (!guild) return 0n;
    if (!('thread_metadata' in channel)) return permissionsIn({ guild, roles }, channel, member);
    if (!parent || !('permission_overwrites' in parent)) return 0n;
    return permissionsIn({ guild, roles }, { parent }, member);
  }

  async #channelOrThread(
    entity: 'channel' | 'thread',
    channelId: string,
  ): Promise<CachedChannel | CachedThread | undefined> {
    const fallbackKey = this.#keys.cacheFallback('channel', channelId);
    const [guildId, fallback] = await Promise.all([
      this.#redis.hget(this.#keys.cachedChannelGuilds(), channelId),
      this.#redis.get(fallbackKey),
    ]);
    if (guildId) {
      const { channels, threads } = this.#keys.guildCache(guildId);
      const [channel, thread] = await Promise.all([
        this.#redis.hget(channels, channelId),
        this.#redis.hget(threads, channelId),
      ]);
      const json = channel ?? thread;
      if (json) return this.#found(entity, JSON.parse(json) as CachedChannel | CachedThread);
    }
    return this.#fallback(entity, fallback, fallbackKey, async () => {
      const channel = (await this.#rest.get(Routes.channel(channelId))) as APIChannel;
      if (!('guild_id' in channel) || !channel.guild_id) return undefined;
      return isThreadType(channel.type)
        ? compactThread(channel as Parameters<typeof compactThread>[0])
        : compactChannel(channel);
    });
  }

  async canModerate(actor: CachedMember, target: CachedMember): Promise<boolean> {
    const [guild, roles] = await Promise.all([this.guild(actor.guild_id), this.roles(actor.guild_id)]);
    if (!guild) return false;
    return canModerate({ guild, roles }, actor, target);
  }

  #found<Entity>(entity: CacheEntity, value: Entity): Entity {
    this.#observer?.lookup(entity, 'hit');
    return value;
  }

  /** The REST fallback copy when there is one, else Discord's answer (kept for the TTL), else undefined on 404. */
  async #fallback<Entity>(
    entity: CacheEntity,
    stored: string | null,
    key: string,
    fetch: () => Promise<Entity | undefined>,
  ): Promise<Entity | undefined> {
    if (stored) {
      this.#observer?.lookup(entity, 'fallbackHit');
      return JSON.parse(stored) as Entity;
    }
    let fetched: Entity | undefined;
    try {
      fetched = await fetch();
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status === 404) fetched = undefined;
      else throw error;
    }
    if (fetched === undefined) {
      this.#observer?.lookup(entity, 'missing');
      return undefined;
    }
    this.#observer?.lookup(entity, 'fallback');
    await this.#redis.set(key, JSON.stringify(fetched), 'PX', this.#ttlMs);
    return fetched;
  }
}
