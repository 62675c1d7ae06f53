import type { ResponseLimits } from './response-limits.js';
import type { RouteKey } from './route-key.js';

interface LocalBucket {
  limit: number;
  windowMs: number;
  /** Requests this process sent in the current window. */
  used: number;
  windowEnds: number;
}

/**
 * What decides while Redis is unavailable: this process alone may use `share` of the global limit and of
 * every bucket's limit (at least one request per window), using the bucket sizes it learned from
 * Discord's headers. With `share` = 1 / number of processes, the cluster stays within every limit without
 * talking to each other; the price is throughput until Redis is back.
 */
export class LocalFallbackLimiter {
  readonly #globalPerWindow: number;
  readonly #share: number;
  readonly #marginMs: number;
  readonly #globalSent: number[] = [];
  readonly #buckets = new Map<string, LocalBucket>();
  readonly #routeBuckets = new Map<string, string>();

  constructor(options: { globalPerSecond: number; share: number; marginMs: number }) {
    this.#share = options.share;
    this.#marginMs = options.marginMs;
    this.#globalPerWindow = Math.max(1, Math.floor(options.globalPerSecond * options.share));
  }

  /** 0 when the request may go now (and counts it), else how long to wait. */
  acquire(key: RouteKey, now = Date.now()): number {
    const window = 1_000 + this.#marginMs;
    if (!key.exemptFromGlobal) {
      while (this.#globalSent.length > 0 && (this.#globalSent[0] ?? 0) <= now - window)
        this.#globalSent.shift();
      if (this.#globalSent.length >= this.#globalPerWindow)
        return (this.#globalSent[0] ?? now) + window - now;
    }
    const bucket = this.#bucketFor(key);
    if (bucket) {
      if (now >= bucket.windowEnds + this.#marginMs) {
        bucket.used = 0;
        bucket.windowEnds = now + bucket.windowMs;
      }
      const allowed = Math.max(1, Math.floor(bucket.limit * this.#share));
      if (bucket.used >= allowed) return bucket.windowEnds + this.#marginMs - now;
      bucket.used += 1;
    }
    if (!key.exemptFromGlobal) this.#globalSent.push(now);
    return 0;
  }

  /** Learns bucket sizes from every answer, while Redis is up too, so the fallback starts informed. */
  settle(key: RouteKey, limits: ResponseLimits, now = Date.now()): void {
    if (!limits.bucket || limits.limit === undefined || limits.resetAfterMs === undefined) return;
    this.#routeBuckets.set(key.route, limits.bucket);
    const id = `${limits.bucket}:${key.major}`;
    const known = this.#buckets.get(id);
    if (known) {
      known.limit = limits.limit;
      known.windowMs = Math.max(known.windowMs, limits.resetAfterMs);
    } else {
      this.#buckets.set(id, { limit: limits.limit, windowMs: limits.resetAfterMs, used: 0, windowEnds: now });
    }
  }

  #bucketFor(key: RouteKey): LocalBucket | undefined {
    const hash = this.#routeBuckets.get(key.route);
    return hash === undefined ? undefined : this.#buckets.get(`${hash}:${key.major}`);
  }
}
