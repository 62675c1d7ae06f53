/**
 * Discord's identify limits for one application: `max_concurrency` identifies per 5 s, one per
 * `shard_id % max_concurrency` bucket, and a daily budget of session starts.
 */
export class IdentifyLimiter {
  readonly maxConcurrency: number;
  readonly windowMs: number;
  total: number;
  remaining: number;
  resetAt: number;
  readonly #lastIdentifyByBucket = new Map<number, number>();

  constructor(options: {
    maxConcurrency: number;
    windowMs: number;
    total: number;
    remaining: number;
    resetAfterMs: number;
  }) {
    this.maxConcurrency = options.maxConcurrency;
    this.windowMs = options.windowMs;
    this.total = options.total;
    this.remaining = options.remaining;
    this.resetAt = Date.now() + options.resetAfterMs;
  }

  bucketOf(shardId: number): number {
    return shardId % this.maxConcurrency;
  }

  /** Takes the bucket's slot if it is free; false means a concurrency violation. */
  tryTakeSlot(shardId: number, now = Date.now()): boolean {
    const bucket = this.bucketOf(shardId);
    const last = this.#lastIdentifyByBucket.get(bucket);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.#lastIdentifyByBucket.set(bucket, now);
    return true;
  }

  resetAfterMs(now = Date.now()): number {
    if (now >= this.resetAt) {
      this.remaining = this.total;
      this.resetAt = now + 86_400_000;
    }
    return this.resetAt - now;
  }
}
