import { readGenerationState } from '../gateway/shard-generations.js';
import { CrossSlotPipeline } from '../redis/cross-slot.js';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

export interface ShardRow {
  /** The shard set it belongs to: the active one, or during a reshard the one being brought up. */
  generation: number;
  shard: number;
  owner: string | null;
  state: string;
  detail: string;
  sequence: number | null;
  lastEventAgeMs: number | null;
}

/**
 * Every shard's lease holder and the state its gateway publishes (connection, latency, sequence): the
 * active generation's shards, then, during a reshard, the new generation's.
 */
export async function readShards(redis: Redis, keyPrefix: string): Promise<ShardRow[]> {
  const state = await readGenerationState(redis, keyPrefix);
  if (!state) return [];
  const sets = [state.active, ...(state.target ? [state.target] : [])];
  return (
    await Promise.all(sets.map((set) => readSet(redis, keyPrefix, set.generation, set.shardCount)))
  ).flat();
}

async function readSet(
  redis: Redis,
  keyPrefix: string,
  generation: number,
  shardCount: number,
): Promise<ShardRow[]> {
  const keys = new RedisKeys(keyPrefix);
  // Tagged per shard: on a Redis Cluster the shards' keys are spread over the nodes.
  const pipeline = new CrossSlotPipeline(redis);
  for (let shard = 0; shard < shardCount; shard += 1) {
    const lease = keys.shardLease(generation, shard);
    const state = keys.shardState(generation, shard);
    pipeline.add(lease, (commands) => commands.hget(lease, 'owner'));
    pipeline.add(state, (commands) => commands.hgetall(state));
  }
  const replies = (await pipeline.exec()).map(([, value]) => value);
  const now = Date.now();
  return Array.from({ length: shardCount }, (_, shard) => {
    const owner = typeof replies[shard * 2] === 'string' ? (replies[shard * 2] as string) : null;
    const published = (replies[shard * 2 + 1] ?? {}) as Record<string, string>;
    // A state published by a previous owner is not this owner's.
    const current = owner !== null && published.owner === owner ? published : undefined;
    return {
      generation,
      shard,
      owner,
      state: current?.state ?? (owner ? 'starting' : 'unowned'),
      detail: current?.detail ?? '',
      sequence: current?.sequence ? Number(current.sequence) : null,
      lastEventAgeMs: current?.lastEventAt ? now - Number(current.lastEventAt) : null,
    };
  });
}
