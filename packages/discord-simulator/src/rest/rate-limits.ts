/** One route bucket's configuration: `limit` requests per `windowMs`, shared by routes with the same hash. */
export interface BucketPolicy {
  hash: string;
  limit: number;
  windowMs: number;
}

interface BucketState {
  remaining: number;
  resetAt: number;
}

export interface BucketDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: number;
  resetAfterMs: number;
}

/**
 * Discord's REST limits for one bot: fixed windows per (bucket hash, major parameter), plus a global
 * per-second budget that interaction routes are exempt from.
 */
export class RateLimits {
  readonly globalPerSecond: number;
  readonly #buckets = new Map<string, BucketState>();
  #globalWindowStart = 0;
  #globalCount = 0;

  constructor(globalPerSecond: number) {
    this.globalPerSecond = globalPerSecond;
  }

  /** Counts a request against the global limit; false when the bot is over it. */
  takeGlobal(now = Date.now()): { allowed: boolean; retryAfterMs: number } {
    if (now - this.#globalWindowStart >= 1_000) {
      this.#globalWindowStart = now;
      this.#globalCount = 0;
    }
    if (this.#globalCount >= this.globalPerSecond) {
      return { allowed: false, retryAfterMs: this.#globalWindowStart + 1_000 - now };
    }
    this.#globalCount += 1;
    return { allowed: true, retryAfterMs: 0 };
  }

  take(policy: BucketPolicy, majorParameter: string, now = Date.now()): BucketDecision {
    const key = `${policy.hash}:${majorParameter}`;
    let state = this.#buckets.get(key);
    if (!state || now >= state.resetAt) {
      state = { remaining: policy.limit, resetAt: now + policy.windowMs };
      this.#buckets.set(key, state);
    }
    const allowed = state.remaining > 0;
    if (allowed) state.remaining -= 1;
    return {
      allowed,
      limit: policy.limit,
      remaining: state.remaining,
      resetAt: state.resetAt,
      resetAfterMs: state.resetAt - now,
    };
  }
}

/** Per-IP invalid requests (401, 403, non-shared 429) in a sliding 10-minute window. */
export class InvalidRequestCounter {
  readonly #timestamps: number[] = [];
  total = 0;

  record(now = Date.now()): void {
    this.#timestamps.push(now);
    this.total += 1;
  }

  inLastTenMinutes(now = Date.now()): number {
    while (this.#timestamps.length > 0 && now - (this.#timestamps[0] ?? now) > 600_000)
      this.#timestamps.shift();
    return this.#timestamps.length;
  }
}
