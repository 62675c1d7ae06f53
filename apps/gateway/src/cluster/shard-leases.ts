import {
  CrossSlotPipeline,
  type Redis,
  RedisKeys,
  type RedisScriptCommands,
  withRedisScripts,
} from '@dgc/shared';

/** A held lease: the fencing token proves which holder a write came from. */
export interface ShardLease {
  shardId: number;
  token: number;
  /**
   * Until when this process may act on the lease by its own clock: the TTL counted from before the request
   * that took or renewed it, less a safety margin. A process that was paused (SIGSTOP, a long GC, a frozen
   * VM) finds this passed before it learns from Redis that another process took over.
   */
  validUntil: number;
}

/**
 * Shard ownership through expiring Redis leases, so two processes never run one shard: acquire is atomic
 * and fails while another owner's lease lives, renew and release succeed only for the current holder and
 * token, and a dead owner's lease simply expires. Each acquisition gets a new, larger fencing token, so a
 * write from a holder that lost its lease (a long GC pause, a partition) can be told apart and refused.
 */
export class ShardLeases {
  readonly #redis: Redis & RedisScriptCommands;
  readonly #keys: RedisKeys;
  readonly #owner: string;
  readonly #ttlMs: number;
  /** The shard set (generation) these leases belong to: shard 3 of 4 and shard 3 of 8 are two shards. */
  readonly #generation: number;

  constructor(options: {
    redis: Redis;
    keyPrefix: string;
    owner: string;
    ttlMs: number;
    generation: number;
  }) {
    this.#redis = withRedisScripts(options.redis);
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#owner = options.owner;
    this.#ttlMs = options.ttlMs;
    this.#generation = options.generation;
  }

  get owner(): string {
    return this.#owner;
  }

  async acquire(shardId: number): Promise<ShardLease | undefined> {
    const askedAt = Date.now();
    const token = await this.#redis.acquireLease(
      this.#keys.shardLease(this.#generation, shardId),
      this.#keys.shardLeaseFence(this.#generation, shardId),
      this.#owner,
      this.#ttlMs,
    );
    return token > 0 ? { shardId, token, validUntil: this.#validFrom(askedAt) } : undefined;
  }

  /** False when the lease was lost: the shard must stop at once. */
  async renew(lease: ShardLease): Promise<boolean> {
    const askedAt = Date.now();
    const renewed =
      (await this.#redis.renewLease(
        this.#keys.shardLease(this.#generation, lease.shardId),
        this.#owner,
        lease.token,
        this.#ttlMs,
      )) === 1;
    if (renewed) lease.validUntil = this.#validFrom(askedAt);
    return renewed;
  }

  #validFrom(askedAt: number): number {
    return askedAt + this.#ttlMs - Math.min(500, this.#ttlMs / 10);
  }

  async release(lease: ShardLease): Promise<boolean> {
    return (
      (await this.#redis.releaseLease(
        this.#keys.shardLease(this.#generation, lease.shardId),
        this.#owner,
        lease.token,
      )) === 1
    );
  }

  /** The current owner of every shard that has a live lease. */
  async owners(shardCount: number): Promise<Map<number, string>> {
    // Each shard's keys carry their own tag: on a Redis Cluster they are spread over the nodes.
    const pipeline = new CrossSlotPipeline(this.#redis);
    for (let shardId = 0; shardId < shardCount; shardId += 1) {
      const lease = this.#keys.shardLease(this.#generation, shardId);
      pipeline.add(lease, (commands) => commands.hget(lease, 'owner'));
    }
    const replies = await pipeline.exec();
    const owners = new Map<number, string>();
    replies.forEach(([, owner], shardId) => {
      if (typeof owner === 'string') owners.set(shardId, owner);
    });
    return owners;
  }
}
