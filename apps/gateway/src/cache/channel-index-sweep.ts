import { CrossSlotPipeline, type Redis, type RedisKeys } from '@dgc/shared';

/**
 * Drops channels and threads the cache's scripts swept from the channel index (an untagged key, which no
 * script of a guild can reach), unless a later write of the same batch stored them again (a thread a
 * THREAD_LIST_SYNC removed can come back with a THREAD_CREATE). The scripts keep what they swept in the
 * guild's `indexRemovals` set until this is done, so a failed batch's retry or a replay, whose sweep finds
 * nothing left to remove, still drops them. The guild's shard has one writer, sending one batch at a time,
 * so nothing writes the guild between the check and the deletion.
 */
export async function dropSweptFromIndex(
  redis: Redis,
  keys: RedisKeys,
  swept: readonly { id: string; guildId: string }[],
): Promise<void> {
  if (swept.length === 0) return;
  const check = new CrossSlotPipeline(redis);
  for (const { id, guildId } of swept) {
    const { channels, threads } = keys.guildCache(guildId);
    check.add(channels, (commands) => commands.hexists(channels, id));
    check.add(threads, (commands) => commands.hexists(threads, id));
  }
  const stored = await check.exec();
  const gone = swept.filter((_, index) => !stored[index * 2]?.[1] && !stored[index * 2 + 1]?.[1]);
  if (gone.length > 0) await redis.hdel(keys.cachedChannelGuilds(), ...gone.map(({ id }) => id));
  // Only now are they done with: a crash before this leaves them pending for the guild's next sweep.
  const byGuild = new Map<string, string[]>();
  for (const { id, guildId } of swept) byGuild.set(guildId, [...(byGuild.get(guildId) ?? []), id]);
  const done = new CrossSlotPipeline(redis);
  for (const [guildId, ids] of byGuild) {
    const pending = keys.guildCache(guildId).indexRemovals;
    done.add(pending, (commands) => commands.srem(pending, ...ids));
  }
  const results = await done.exec();
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
