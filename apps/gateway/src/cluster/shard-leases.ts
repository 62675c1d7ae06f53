import type { Redis } from '@dgc/shared';

/**
 * acquire: ARGV owner, ttlMs → fencing token (a number that only ever grows per shard) or 0 when another
 * owner holds a live lease. renew: ARGV owner, token, ttlMs → 1 while still the holder, 0 when lost.
 * release: ARGV owner, token → 1 when released.
 */
const acquireScript = `
local holder = redis.call('HGET', KEYS[1], 'owner')
if holder and holder ~= ARGV[1] then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token
`;
const renewScript = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;
const releaseScript = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'token') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

interface LeaseCommands {
  dgcLeaseAcquire(lease: string, counter: string, owner: string, ttlMs: number): Promise<number>;
  dgcLeaseRenew(lease: string, owner: string, token: number, ttlMs: number): Promise<number>;
  dgcLeaseRelease(lease: string, owner: string, token: number): Promise<number>;
}

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
  readonly #redis: Redis & LeaseCommands;
  readonly #keyPrefix: string;
  readonly #owner: string;
  readonly #ttlMs: number;

  constructor(options: { redis: Redis; keyPrefix: string; owner: string; ttlMs: number }) {
    options.redis.defineCommand('dgcLeaseAcquire', { numberOfKeys: 2, lua: acquireScript });
    options.redis.defineCommand('dgcLeaseRenew', { numberOfKeys: 1, lua: renewScript });
    options.redis.defineCommand('dgcLeaseRelease', { numberOfKeys: 1, lua: releaseScript });
    this.#redis = options.redis as Redis & LeaseCommands;
    this.#keyPrefix = options.keyPrefix;
    this.#owner = options.owner;
    this.#ttlMs = options.ttlMs;
  }

  get owner(): string {
    return this.#owner;
  }

  async acquire(shardId: number): Promise<ShardLease | undefined> {
    const askedAt = Date.now();
    const token = await this.#redis.dgcLeaseAcquire(
      this.#leaseKey(shardId),
      `${this.#leaseKey(shardId)}:fence`,
      this.#owner,
      this.#ttlMs,
    );
    return token > 0 ? { shardId, token, validUntil: this.#validFrom(askedAt) } : undefined;
  }

  /** False when the lease was lost: the shard must stop at once. */
  async renew(lease: ShardLease): Promise<boolean> {
    const askedAt = Date.now();
    const renewed =
      (await this.#redis.dgcLeaseRenew(
        this.#leaseKey(lease.shardId),
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
    return (await this.#redis.dgcLeaseRelease(this.#leaseKey(lease.shardId), this.#owner, lease.token)) === 1;
  }

  /** The current owner of every shard that has a live lease. */
  async owners(shardCount: number): Promise<Map<number, string>> {
    const pipeline = this.#redis.pipeline();
    for (let shardId = 0; shardId < shardCount; shardId += 1) pipeline.hget(this.#leaseKey(shardId), 'owner');
    const replies = (await pipeline.exec()) ?? [];
    const owners = new Map<number, string>();
    replies.forEach(([, owner], shardId) => {
      if (typeof owner === 'string') owners.set(shardId, owner);
    });
    return owners;
  }

  #leaseKey(shardId: number): string {
    return `${this.#keyPrefix}:shard-lease:${shardId}`;
  }
}
