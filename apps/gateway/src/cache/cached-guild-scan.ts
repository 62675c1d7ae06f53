import { type Redis, type RedisKeys, scanKeys } from '@dgc/shared';

/** The shard a guild belongs to: Discord's `(guild_id >> 22) % num_shards`. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * Cached guilds of shard `shardId` that a new session's READY does not list: the bot left them while no
 * session of that shard ran, so their GUILD_DELETE never came. Found by SCAN over the guilds' skeleton keys
 * (the cache keeps no per-shard index, which replays could not keep exact); once per identify.
 */
export async function staleGuildsOfShard(
  redis: Redis,
  keys: RedisKeys,
  listed: ReadonlySet<string>,
  shard: readonly [shardId: number, shardCount: number],
): Promise<string[]> {
  const stale: string[] = [];
  // scanKeys walks every primary of a Redis Cluster (a plain SCAN reaches one node).
  for await (const found of scanKeys(redis, keys.guildCachePattern())) {
    for (const key of found) {
      const guildId = keys.guildIdOfCacheKey(key);
      if (guildId && !listed.has(guildId) && shardOfGuild(guildId, shard[1]) === shard[0])
        stale.push(guildId);
    }
  }
  return stale;
}
