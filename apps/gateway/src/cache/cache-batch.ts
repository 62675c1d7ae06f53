import {
  type CachedChannel,
  type CachedGuild,
  type CachedMember,
  type CachedRole,
  type CacheEntityKind,
  CrossSlotPipeline,
  guildHashFields,
  type Redis,
  type RedisKeys,
} from '@dgc/shared';
import type { ChainableCommander } from 'ioredis';

/** The pipeline with the cluster's scripts defined on its connection (`withRedisScripts`). */
type ScriptPipeline = ChainableCommander & {
  replaceGuild(
    guild: string,
    channels: string,
    roles: string,
    members: string,
    ...args: (string | number)[]
  ): ChainableCommander;
};

/** What a GUILD_CREATE replaces; a collection left undefined is not cached (not touched). */
export interface GuildReplacement {
  guild?: CachedGuild;
  channels?: CachedChannel[];
  roles?: CachedRole[];
  members?: CachedMember[];
}

/** A GUILD_CREATE's replacement as the script's arguments: serialised once, when the dispatch arrives. */
export interface SerializedGuildReplacement {
  guildId: string;
  args: (string | number)[];
  channelIds: string[];
  counts: Record<CacheEntityKind, number>;
  /** Entries written: what the replacement costs while it waits (the writer bounds the sum). */
  weight: number;
}

/**
 * Serialises a replacement to the replaceGuild script's arguments. Done as the dispatch arrives, so a
 * waiting GUILD_CREATE holds a few short strings rather than its raw payload (hundreds of objects).
 */
export function serializeGuildReplacement(
  guildId: string,
  replacement: GuildReplacement,
): SerializedGuildReplacement {
  const guildArgs = replacement.guild ? guildHashFields(replacement.guild) : [];
  const args: (string | number)[] = [
    guildArgs.length,
    replacement.channels?.length ?? -1,
    replacement.roles?.length ?? -1,
    replacement.members?.length ?? -1,
    ...guildArgs,
  ];
  for (const channel of replacement.channels ?? []) args.push(channel.id, JSON.stringify(channel));
  for (const role of replacement.roles ?? []) args.push(role.id, JSON.stringify(role));
  for (const member of replacement.members ?? []) args.push(member.id, JSON.stringify(member));
  const counts = {
    guilds: replacement.guild ? 1 : 0,
    channels: replacement.channels?.length ?? 0,
    roles: replacement.roles?.length ?? 0,
    members: replacement.members?.length ?? 0,
  };
  return {
    guildId,
    args,
    channelIds: (replacement.channels ?? []).map((channel) => channel.id),
    counts,
    weight: 1 + counts.channels + counts.roles + counts.members,
  };
}

/**
 * One flush's writes to the state cache, as one pipeline (one round trip; on a Redis Cluster, one per node,
 * since each guild's keys carry the guild's tag and the index and fallback keys their own). The event table
 * calls its named writes in the shard's order, which each key keeps. Each write also drops the worker's REST
 * fallback copy of what it writes, so a fallback never hides a change the gateway saw. Counts writes by
 * entity for metrics.
 */
export class CacheBatch {
  readonly #redis: Redis;
  readonly #pipeline: CrossSlotPipeline<ScriptPipeline>;
  readonly #keys: RedisKeys;
  /** Pipeline positions of replaceGuild calls: each answers the channel ids it removed. */
  readonly #sweeps: number[] = [];
  readonly writes: Record<CacheEntityKind, number> = { guilds: 0, channels: 0, roles: 0, members: 0 };

  /** `redis` has the cluster's scripts defined (`withRedisScripts`). */
  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.#pipeline = new CrossSlotPipeline<ScriptPipeline>(redis);
    this.#keys = keys;
  }

  get length(): number {
    return this.#pipeline.length;
  }

  /** GUILD_CREATE: the skeleton's fields over the stored ones, each cached collection replaced whole. */
  replaceGuild(replacement: SerializedGuildReplacement): void {
    const { guildId, args, channelIds, counts } = replacement;
    const keys = this.#keys.guildCache(guildId);
    this.#pipeline.add(keys.guild, (commands) =>
      commands.replaceGuild(keys.guild, keys.channels, keys.roles, keys.members, ...args),
    );
    this.#sweeps.push(this.#pipeline.length - 1);
    if (channelIds.length > 0) {
      const index: string[] = [];
      for (const channelId of channelIds) index.push(channelId, guildId);
      this.#hset(this.#keys.cachedChannelGuilds(), ...index);
    }
    this.#del(this.#keys.cacheFallback('guild', guildId));
    this.#del(this.#keys.cacheFallback('roles', guildId));
    for (const entity of Object.keys(counts) as CacheEntityKind[]) this.writes[entity] += counts[entity];
  }

  /** GUILD_UPDATE, an outage (`{ unavailable: true }`), READY's list of guilds still to come. */
  setGuildFields(guildId: string, fields: Partial<CachedGuild>): void {
    this.#hset(this.#keys.guildCache(guildId).guild, ...guildHashFields({ ...fields, id: guildId }));
    this.#del(this.#keys.cacheFallback('guild', guildId));
    this.writes.guilds += 1;
  }

  /** The bot left the guild (or it was deleted): everything cached of it goes. */
  deleteGuild(guildId: string): void {
    const keys = this.#keys.guildCache(guildId);
    // Emptying the collections through the script answers which channels to drop from the index.
    this.#pipeline.add(keys.guild, (commands) =>
      commands.replaceGuild(keys.guild, keys.channels, keys.roles, keys.members, 0, 0, 0, 0),
    );
    this.#sweeps.push(this.#pipeline.length - 1);
    this.#del(keys.guild);
    this.#del(this.#keys.cacheFallback('guild', guildId));
    this.#del(this.#keys.cacheFallback('roles', guildId));
    this.writes.guilds += 1;
  }

  setChannel(channel: CachedChannel): void {
    this.#hset(this.#keys.guildCache(channel.guild_id).channels, channel.id, JSON.stringify(channel));
    this.#hset(this.#keys.cachedChannelGuilds(), channel.id, channel.guild_id);
    this.#del(this.#keys.cacheFallback('channel', channel.id));
    this.writes.channels += 1;
  }

  deleteChannel(guildId: string, channelId: string): void {
    this.#hdel(this.#keys.guildCache(guildId).channels, channelId);
    this.#hdel(this.#keys.cachedChannelGuilds(), channelId);
    this.#del(this.#keys.cacheFallback('channel', channelId));
    this.writes.channels += 1;
  }

  setRole(guildId: string, role: CachedRole): void {
    this.#hset(this.#keys.guildCache(guildId).roles, role.id, JSON.stringify(role));
    this.#del(this.#keys.cacheFallback('roles', guildId));
    this.writes.roles += 1;
  }

  deleteRole(guildId: string, roleId: string): void {
    this.#hdel(this.#keys.guildCache(guildId).roles, roleId);
    this.#del(this.#keys.cacheFallback('roles', guildId));
    this.writes.roles += 1;
  }

  setMember(member: CachedMember): void {
    this.#hset(this.#keys.guildCache(member.guild_id).members, member.id, JSON.stringify(member));
    this.#del(this.#keys.cacheFallback('member', `${member.guild_id}:${member.id}`));
    this.writes.members += 1;
  }

  deleteMember(guildId: string, userId: string): void {
    this.#hdel(this.#keys.guildCache(guildId).members, userId);
    this.#del(this.#keys.cacheFallback('member', `${guildId}:${userId}`));
    this.writes.members += 1;
  }

  /**
   * Sends the pipeline; once it is applied, drops the channels the guild replacements removed from the
   * channel index (ids are never reused, so doing it after later writes cannot remove a live entry).
   * Rejects when the connection fails; a command's own error is thrown too, so the batch is retried.
   */
  async exec(): Promise<void> {
    const results = await this.#pipeline.exec();
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    const removed: string[] = [];
    for (const position of this.#sweeps) {
      const ids = results[position]?.[1];
      if (Array.isArray(ids)) for (const id of ids) removed.push(String(id));
    }
    if (removed.length > 0) await this.#redis.hdel(this.#keys.cachedChannelGuilds(), ...removed);
  }

  // One key per command (the fallback keys carry no tag, so one DEL of several could span slots).
  #hset(key: string, ...fieldsAndValues: string[]): void {
    this.#pipeline.add(key, (commands) => commands.hset(key, ...fieldsAndValues));
  }

  #hdel(key: string, field: string): void {
    this.#pipeline.add(key, (commands) => commands.hdel(key, field));
  }

  #del(key: string): void {
    this.#pipeline.add(key, (commands) => commands.del(key));
  }
}
