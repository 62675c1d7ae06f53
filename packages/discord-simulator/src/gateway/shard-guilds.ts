import { shardIdForGuild } from '../model/snowflake.js';
import type { SimulatedGuild } from '../model/world.js';

/** The guilds a shard receives: `(guild_id >> 22) % shardCount === shardId`. */
export function guildsForShard(
  guilds: readonly SimulatedGuild[],
  shardId: number,
  shardCount: number,
): SimulatedGuild[] {
  return guilds.filter((guild) => shardIdForGuild(guild.id, shardCount) === shardId);
}
