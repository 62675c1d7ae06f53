import {
  type CachedChannel,
  type CachedEmoji,
  type CachedGuild,
  type CachedMember,
  type CachedRole,
  type CachedThread,
  type CachedThreadMember,
  type CacheEntityKind,
  guildHashFields,
  type RedisKeys,
  threadMemberField,
} from '@dgc/shared';
import { dropSweptFromIndex } from './channel-index-sweep.js';
import { entityCounts, type SerializedGuildReplacement } from './guild-replacement.js';
import { OrderedCommandBatch, type ScriptConnection } from './ordered-command-batch.js';

/**
 * One flush's writes to the state cache, sent back to back (one round trip; on a Redis Cluster, one per node,
 * since each guild's keys carry the guild's tag and the index and fallback keys their own). The event table
 * calls its named writes in the shard's order, which each key keeps. Each write also drops the worker's REST
 * fallback copy of what it writes, so a fallback never hides a change the gateway saw. Counts writes by
 * entity for metrics.
 */
export class CacheBatch {
  readonly #redis: ScriptConnection;
  readonly #commands: OrderedCommandBatch;
  readonly #keys: RedisKeys;
  /** Positions of the scripts that answer the channel and thread ids they removed, with the guild. */
  readonly #sweeps: { position: number; guildId: string }[] = [];
  readonly writes: Record<CacheEntityKind, number> = entityCounts();

  /** `redis` has the cluster's scripts defined (`withRedisScripts`). */
  constructor(redis: ScriptConnection, keys: RedisKeys) {
    this.#redis = redis;
    this.#commands = new OrderedCommandBatch(redis);
    this.#keys = keys;
  }

  get length(): number {
    return this.#commands.length;
  }

  /** GUILD_CREATE: the skeleton's fields over the stored ones, each cached collection replaced whole. */
  replaceGuild(replacement: SerializedGuildReplacement): void {
    const { guildId, args, channelIds, counts } = replacement;
    const keys = this.#keys.guildCache(guildId);
    this.#commands.add((redis) =>
      redis.replaceGuild(
        keys.guild,
        keys.channels,
        keys.roles,
        keys.members,
        keys.threads,
        keys.threadMembers,
        keys.emojis,
        keys.indexRemovals,
        ...args,
      ),
    );
    this.#sweeps.push({ position: this.#commands.length - 1, guildId });
    if (channelIds.length > 0) {
      const index: string[] = [];
      for (const channelId of channelIds) index.push(channelId, guildId);
      this.#hset(this.#keys.cachedChannelGuilds(), ...index);
    }
    this.#del(this.#keys.cacheFallback('guild', guildId));
    this.#del(this.#keys.cacheFallback('roles', guildId));
    this.#del(this.#keys.cacheFallback('emojis', guildId));
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
    const { guild, channels, roles, members, threads, threadMembers, emojis, indexRemovals } = keys;
    this.#commands.add((redis) =>
      redis.replaceGuild(
        guild,
        channels,
        roles,
        members,
        threads,
        threadMembers,
        emojis,
        indexRemovals,
        0,
        0,
        0,
        0,
        0,
        0,
        '-',
      ),
    );
    this.#sweeps.push({ position: this.#commands.length - 1, guildId });
    this.#del(guild);
    this.#del(this.#keys.cacheFallback('guild', guildId));
    this.#del(this.#keys.cacheFallback('roles', guildId));
    this.#del(this.#keys.cacheFallback('emojis', guildId));
    this.writes.guilds += 1;
  }

  setChannel(channel: CachedChannel): void {
    this.#hset(this.#keys.guildCache(channel.guild_id).channels, channel.id, JSON.stringify(channel));
    this.#hset(this.#keys.cachedChannelGuilds(), channel.id, channel.guild_id);
    this.#del(this.#keys.cacheFallback('channel', channel.id));
    this.writes.channels += 1;
  }

  /**
   * `withThreads` (threads cached): its threads go too, with their memberships, in one script (Discord sends
   * no THREAD_DELETE for them).
   */
  deleteChannel(guildId: string, channelId: string, withThreads = false): void {
    const { channels, threads, threadMembers, indexRemovals } = this.#keys.guildCache(guildId);
    if (withThreads) {
      this.#commands.add((redis) =>
        redis.deleteChannel(channels, threads, threadMembers, indexRemovals, channelId),
      );
      this.#sweeps.push({ position: this.#commands.length - 1, guildId });
    } else this.#hdel(channels, channelId);
    this.#hdel(this.#keys.cachedChannelGuilds(), channelId);
    this.#del(this.#keys.cacheFallback('channel', channelId));
    this.writes.channels += 1;
  }

  setThread(thread: CachedThread): void {
    this.#hset(this.#keys.guildCache(thread.guild_id).threads, thread.id, JSON.stringify(thread));
    this.#hset(this.#keys.cachedChannelGuilds(), thread.id, thread.guild_id);
    this.#del(this.#keys.cacheFallback('channel', thread.id));
    this.writes.threads += 1;
  }

  /** `withMembers` (thread members cached): its memberships go too, in one script. */
  deleteThread(guildId: string, threadId: string, withMembers = false): void {
    const { threads, threadMembers } = this.#keys.guildCache(guildId);
    if (withMembers) this.#commands.add((redis) => redis.deleteThread(threads, threadMembers, threadId));
    else this.#hdel(threads, threadId);
    this.#hdel(this.#keys.cachedChannelGuilds(), threadId);
    this.#del(this.#keys.cacheFallback('channel', threadId));
    this.writes.threads += 1;
  }

  /**
   * THREAD_LIST_SYNC: the active threads of `parentIds` (undefined: of the whole guild) become `threads`;
   * `memberships` (the bot's, in those threads) are set. The event lists every membership the bot has in
   * the synced threads, so with `botUserId` known, its membership of a synced thread not listed goes.
   */
  syncThreads(
    guildId: string,
    parentIds: readonly string[] | undefined,
    threads: readonly CachedThread[],
    memberships: readonly CachedThreadMember[] = [],
    botUserId?: string,
  ): void {
    const { threads: key, threadMembers, indexRemovals } = this.#keys.guildCache(guildId);
    if (botUserId !== undefined) {
      const listed = new Set(memberships.map((member) => member.id));
      const left = threads.filter(({ id }) => !listed.has(id));
      if (left.length > 0)
        this.#hdel(threadMembers, ...left.map(({ id }) => threadMemberField(id, botUserId)));
      for (const { id } of left) this.#dropThreadMemberFallback(id, botUserId);
    }
    const args: string[] = [
      String(parentIds?.length ?? -1),
      String(memberships.length),
      ...(parentIds ?? []),
    ];
    for (const member of memberships)
      args.push(threadMemberField(member.id, member.user_id), JSON.stringify(member));
    for (const thread of threads) args.push(thread.id, JSON.stringify(thread));
    this.#commands.add((redis) => redis.syncThreads(key, threadMembers, indexRemovals, ...args));
    // Right after the script: its answer (the ids to drop from the channel index) is read at this position.
    this.#sweeps.push({ position: this.#commands.length - 1, guildId });
    for (const member of memberships) this.#dropThreadMemberFallback(member.id, member.user_id);
    if (threads.length > 0)
      this.#hset(this.#keys.cachedChannelGuilds(), ...threads.flatMap(({ id }) => [id, guildId]));
    for (const { id } of threads) this.#del(this.#keys.cacheFallback('channel', id));
    this.writes.threads += Math.max(1, threads.length);
    this.writes.threadMembers += memberships.length;
  }

  /**
   * THREAD_MEMBERS_UPDATE, THREAD_MEMBER_UPDATE, the bot added to a thread (THREAD_CREATE): one thread's
   * memberships `added` (kept only while the thread is cached, see setThreadMembers-2.lua) and `removed`.
   */
  updateThreadMembers(
    guildId: string,
    threadId: string,
    added: readonly CachedThreadMember[],
    removed: readonly string[] = [],
  ): void {
    const { threads, threadMembers } = this.#keys.guildCache(guildId);
    const args: string[] = [...removed];
    for (const member of added)
      args.push(threadMemberField(threadId, member.user_id), JSON.stringify(member));
    this.#commands.add((redis) =>
      redis.setThreadMembers(threads, threadMembers, threadId, removed.length, ...args),
    );
    for (const { user_id: userId } of added) this.#dropThreadMemberFallback(threadId, userId);
    for (const userId of removed) this.#dropThreadMemberFallback(threadId, userId);
    this.writes.threadMembers += added.length + removed.length;
  }

  /** GUILD_EMOJIS_UPDATE: the guild's whole set, replaced by one SET. */
  setEmojis(guildId: string, emojis: readonly CachedEmoji[]): void {
    const key = this.#keys.guildCache(guildId).emojis;
    this.#commands.add((redis) => redis.set(key, JSON.stringify(emojis)));
    this.#del(this.#keys.cacheFallback('emojis', guildId));
    this.writes.emojis += Math.max(1, emojis.length);
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
   * Sends the commands; once they are applied, drops the channels and threads the scripts removed from the
   * channel index, unless a later write of the batch stored them again (a thread a sync removed can come
   * back with a THREAD_CREATE). This writer is the only one of the guild's shard and sends one batch at a
   * time, so nothing writes the guild between the check and the deletion.
   * Rejects when the connection fails; a command's own error is thrown too, so the batch is retried.
   */
  async exec(): Promise<void> {
    const results = await this.#commands.exec();
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    // A guild swept twice in the batch answers its pending ids twice.
    const removed = new Map<string, { id: string; guildId: string }>();
    for (const { position, guildId } of this.#sweeps) {
      const ids = results[position]?.[1];
      if (Array.isArray(ids))
        for (const id of ids) removed.set(`${guildId}:${id}`, { id: String(id), guildId });
    }
    await dropSweptFromIndex(this.#redis, this.#keys, [...removed.values()]);
  }

  // One key per command (the fallback keys carry no tag, so one DEL of several could span slots).
  #hset(key: string, ...fieldsAndValues: string[]): void {
    this.#commands.add((redis) => redis.hset(key, ...fieldsAndValues));
  }

  #hdel(key: string, ...fields: string[]): void {
    this.#commands.add((redis) => redis.hdel(key, ...fields));
  }

  #del(key: string): void {
    this.#commands.add((redis) => redis.del(key));
  }

  #dropThreadMemberFallback(threadId: string, userId: string): void {
    this.#del(this.#keys.cacheFallback('threadMember', threadMemberField(threadId, userId)));
  }
}
