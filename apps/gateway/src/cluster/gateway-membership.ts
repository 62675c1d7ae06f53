import { type Redis, RedisKeys } from '@dgc/shared';

/**
 * Which gateway processes are alive, for sharing shards fairly: each process refreshes its score on every
 * ownership tick, and a process silent for longer than the lease TTL no longer counts.
 */
export class GatewayMembership {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #member: string;
  readonly #ttlMs: number;

  constructor(options: { redis: Redis; keyPrefix: string; member: string; ttlMs: number }) {
    this.#redis = options.redis;
    this.#key = new RedisKeys(options.keyPrefix).gatewayMembers();
    this.#member = options.member;
    this.#ttlMs = options.ttlMs;
  }

  /** Marks this process alive and returns how many gateway processes are (this one included). */
  async heartbeat(): Promise<number> {
    const now = Date.now();
    const [, , [, live] = []] =
      (await this.#redis
        .multi()
        .zadd(this.#key, now, this.#member)
        .zremrangebyscore(this.#key, '-inf', now - this.#ttlMs)
        .zcard(this.#key)
        .exec()) ?? [];
    return Math.max(1, Number(live));
  }

  async leave(): Promise<void> {
    await this.#redis.zrem(this.#key, this.#member);
  }
}
