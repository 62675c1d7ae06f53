import { CrossSlotPipeline } from '../redis/cross-slot.js';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

export interface ShardRow {
  shard: number;
  owner: string | null;
  state: string;
  detail: string;
  sequence: number | null;
  lastEventAgeMs: number | null;
}

/** Every shard's lease holder and the state its gateway publishes (connection, latency, sequence). */
export async function readShards(redis: Redis, keyPrefix: string): Promise<ShardRow[]> {
  const keys = new RedisKeys(keyPrefix);
  const shardCount = Number(await redis.get(keys.shardCount()));
  if (!Number.isInteger(shardCount) || shardCount <= 0) return [];
  // Tagged per shard: on a Redis Cluster the shards' keys are spread over the nodes.
  const pipeline = new CrossSlotPipeline(redis);
  for (let shard = 0; shard < shardCount; shard += 1) {
    const lease = keys.shardLease(shard);
    const state = keys.shardState(shard);
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
      shard,
      owner,
      state: current?.state ?? (owner ? 'starting' : 'unowned'),
      detail: current?.detail ?? '',
      sequence: current?.sequence ? Number(current.sequence) : null,
      lastEventAgeMs: current?.lastEventAt ? now - Number(current.lastEventAt) : null,
    };
  });
}
