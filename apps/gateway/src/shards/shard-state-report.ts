import { CrossSlotPipeline, type Redis, RedisKeys } from '@dgc/shared';
import type { RedisSessionStore } from '../cluster/redis-session-store.js';
import type { ShardConnections } from './shard-connections.js';

export interface ShardStateReportOptions {
  redis: Redis;
  keyPrefix: string;
  /** This process's name in the cluster (host, pid, random suffix). */
  owner: string;
  generation: number;
  shards: Pick<ShardConnections, 'snapshot'>;
  sessions: Pick<RedisSessionStore, 'watermark'>;
}

/** A shard's entry outlives its last write by this long, so a dead process's shards drop off the list. */
const stateTtlMs = 10_000;

/**
 * Every shard's state, readable by any tool (`npm run cluster -- shards`) without asking the process
 * that runs it: its owner, connection state, published sequence and when it last received an event.
 */
export class ShardStateReport {
  readonly #options: ShardStateReportOptions;
  readonly #keys: RedisKeys;

  constructor(options: ShardStateReportOptions) {
    this.#options = options;
    this.#keys = new RedisKeys(options.keyPrefix);
  }

  /** Writes the state of each shard this process runs, in one round trip (one per node of a Redis Cluster). */
  async publish(): Promise<void> {
    const { redis, owner, shards, sessions } = this.#options;
    const pipeline = new CrossSlotPipeline(redis);
    for (const shard of shards.snapshot()) {
      const key = this.#keys.shardState(this.#options.generation, shard.shardId);
      const state = {
        owner,
        state: shard.state,
        detail: shard.detail,
        sequence: sessions.watermark(shard.shardId).value,
        lastEventAt: shard.lastEventAt ?? '',
        updatedAt: Date.now(),
      };
      pipeline.add(key, (commands) => commands.hset(key, state));
      pipeline.add(key, (commands) => commands.pexpire(key, stateTtlMs));
    }
    await pipeline.exec();
  }
}
