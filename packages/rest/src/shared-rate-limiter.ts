// Over 300 lines: acquire, settle, the breaker cache, the batched counters and the Redis-outage fallback share one limiter's private state.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '@dgc/shared';
import { RedisKeys, type RedisScriptCommands, withRedisScripts } from '@dgc/shared';
import { LocalFallbackLimiter } from './local-fallback-limiter.js';
import type { RateLimitScope, ResponseLimits } from './response-limits.js';
import type { RouteKey } from './route-key.js';

export class InvalidRequestBreakerOpenError extends Error {
  override readonly name = 'InvalidRequestBreakerOpenError';
}

export type WaitReason = 'global' | 'bucket' | 'discovery' | 'fallback';

/** Hooks for metrics: every request, every 429 by scope, every wait before sending. */
export interface RateLimitObserver {
  onResponse?(route: string, status: number): void;
  onRateLimited?(route: string, scope: RateLimitScope): void;
  onWait?(route: string, reason: WaitReason, waitMs: number): void;
  onFallback?(active: boolean, error?: unknown): void;
}

export interface SharedRateLimiterOptions {
  redis: Redis;
  keyPrefix: string;
  /** Discord's global limit for this bot (requests per second). */
  globalPerSecond?: number;
  /** Calls stop when this many invalid requests (401, 403, non-shared 429) were counted in ~10 minutes. */
  invalidRequestBreaker?: number;
  /** Safety margin added to every window, covering the time between a decision and Discord's clock. */
  marginMs?: number;
  /**
   * A Redis decision slower than this counts as Redis unavailable: the local fallback decides (default
   * 1 s). The fallback's share comes on top of what the other processes take through Redis, so a process
   * that merely waited on a busy host must not take it: a shorter timeout turned such waits into 429s.
   */
  redisTimeoutMs?: number;
  /** Share of every limit one process may use on its own while Redis is unavailable. */
  fallbackShare?: number;
  /** How long answers that only add to the request count wait to be added together (default 1 s). */
  statsFlushMs?: number;
  observer?: RateLimitObserver;
}

/**
 * Whether an answer changes nothing in Redis but the request count: a route bound by no limit (an
 * interaction callback), outside bucket discovery, answered with anything that does not count as an
 * invalid request towards Cloudflare's ban.
 */
function onlyCounts(reservation: Reservation, limits: ResponseLimits): boolean {
  const { key, discovering } = reservation;
  return (
    key.exemptFromGlobal &&
    key.exemptFromBuckets &&
    !discovering &&
    limits.status !== 401 &&
    limits.status !== 403 &&
    limits.status !== 429
  );
}

/** A permission to send, to be settled with Discord's answer. */
export interface Reservation {
  key: RouteKey;
  token: string;
  discovering: boolean;
  /** Decided locally because Redis was unavailable. */
  local: boolean;
}

type AcquireReply = [code: number, waitMs: number, bucketHash: string, discovering: number];

/** An interaction callback trusts a breaker state this recent without asking Redis... */
const breakerStateMaxAgeMs = 5_000;
/** ...and refreshes it, behind the request, once it is older than this. */
const breakerStateRefreshMs = 1_000;

const waitReasons: Record<number, WaitReason> = { 1: 'global', 2: 'bucket', 3: 'discovery', 4: 'global' };
/** The script's answer when Redis maps the route to another bucket than the one asked about. */
const otherBucket = 5;

/**
 * Discord's rate limits shared by every process of the bot through Redis: the global limit, each route's
 * bucket per major parameter (learned from `X-RateLimit-Bucket`, shared too) and the invalid-request
 * budget with a circuit breaker. One script call per request decides (an interaction callback, bound only by
 * the breaker, goes on the breaker state last read and refreshes it behind itself); another records the
 * answer. The scripts touch only the keys they are given (Redis Cluster refuses others), so the bucket key
 * of a route comes from the route → bucket mapping this process last learned; when another process
 * learned a different one, the script says so and the decision is asked again with the right bucket. When Redis cannot answer in time, a local limiter allows this process a fixed share of every
 * limit, so calls neither fail nor exceed the bot's budget during an outage.
 */
export class SharedRateLimiter {
  readonly #redis: Redis & RedisScriptCommands;
  readonly #keys: RedisKeys;
  /** Route → bucket hash ('-' = none) as last learned; a route absent here is asked about as unknown. */
  readonly #routeBuckets = new Map<string, string>();
  readonly #globalPerSecond: number;
  readonly #breaker: number;
  readonly #marginMs: number;
  readonly #redisTimeoutMs: number;
  readonly #observer: RateLimitObserver;
  readonly #fallback: LocalFallbackLimiter;
  #usingFallback = false;
  /**
   * The invalid-request breaker as Redis last reported it. An interaction callback is bound by nothing else
   * (no global limit, a bucket per interaction), so it is sent on this without waiting for Redis, which
   * would put a round trip on the latency users feel most.
   */
  #breakerState: { openUntil: number; at: number } | undefined;
  /** One refresh at a time, however many callbacks go out while it is under way. */
  #refreshingBreaker = false;
  /**
   * Answers to interaction callbacks that taught the cluster nothing but a count (exempt from every limit,
   * not an invalid request): counted here and added to the shared stats once per `statsFlushMs`, instead
   * of a script call per interaction on the path every interaction takes.
   */
  #uncountedRequests = 0;
  #statsFlush: NodeJS.Timeout | undefined;
  readonly #statsFlushMs: number;

  constructor(options: SharedRateLimiterOptions) {
    this.#redis = withRedisScripts(options.redis);
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#globalPerSecond = options.globalPerSecond ?? 50;
    this.#breaker = options.invalidRequestBreaker ?? 8_000;
    // Covers the jitter between a decision here and its request reaching Discord (a loaded host delays some
    // requests more than others, bunching them into one window).
    this.#marginMs = options.marginMs ?? 30;
    this.#redisTimeoutMs = options.redisTimeoutMs ?? 1_000;
    this.#statsFlushMs = options.statsFlushMs ?? 1_000;
    this.#observer = options.observer ?? {};
    this.#fallback = new LocalFallbackLimiter({
      globalPerSecond: this.#globalPerSecond,
      share: options.fallbackShare ?? 0.25,
      marginMs: this.#marginMs,
    });
  }

  /** Waits until the request may be sent (or `signal` aborts); throws when the breaker is open. */
  async acquire(key: RouteKey, signal?: AbortSignal): Promise<Reservation> {
    const token = randomUUID();
    if (key.exemptFromGlobal && key.exemptFromBuckets) {
      const known = this.#breakerState;
      const now = performance.now();
      if (known && now - known.at < breakerStateMaxAgeMs) {
        signal?.throwIfAborted();
        if (known.openUntil > now) throw this.#breakerOpen(known.openUntil - now);
        // Refreshed behind the request, so the next callback knows what this one would have learned.
        if (now - known.at > breakerStateRefreshMs && !this.#refreshingBreaker) {
          this.#refreshingBreaker = true;
          this.#decide(key, token).finally(() => {
            this.#refreshingBreaker = false;
          });
        }
        return { key, token, discovering: false, local: false };
      }
    }
    for (;;) {
      signal?.throwIfAborted();
      const reply = await this.#decide(key, token);
      if (reply === 'fallback') {
        const waitMs = this.#fallback.acquire(key);
        if (waitMs === 0) return { key, token, discovering: false, local: true };
        this.#observer.onWait?.(key.route, 'fallback', waitMs);
        await sleep(waitMs, undefined, { signal });
        continue;
      }
      const [code, waitMs, bucketHash, discovering] = reply;
      if (code === otherBucket) {
        this.#learnBucket(key.route, bucketHash);
        continue;
      }
      if (code === 0) return { key, token, discovering: discovering === 1, local: false };
      if (code === -1) throw this.#breakerOpen(waitMs);
      this.#observer.onWait?.(key.route, waitReasons[code] ?? 'bucket', waitMs);
      await sleep(waitMs, undefined, { signal });
    }
  }

  /** Records Discord's answer so every process learns from it. Never throws. */
  async settle(reservation: Reservation, limits: ResponseLimits): Promise<void> {
    const { key } = reservation;
    this.#observer.onResponse?.(key.route, limits.status);
    if (limits.status === 429) this.#observer.onRateLimited?.(key.route, limits.scope ?? 'user');
    this.#fallback.settle(key, limits);
    if (reservation.local && this.#usingFallback) return;
    if (onlyCounts(reservation, limits)) {
      this.#uncountedRequests += 1;
      this.#scheduleStatsFlush();
      return;
    }
    const bucketHash = key.exemptFromBuckets ? '' : (limits.bucket ?? '');
    if (bucketHash !== '') this.#learnBucket(key.route, bucketHash);
    else if (reservation.discovering && limits.status >= 200 && limits.status < 400) {
      // The script records "no bucket" only where nothing was learned meanwhile; so does this cache.
      if (!this.#routeBuckets.has(key.route)) this.#learnBucket(key.route, '-');
    }
    const keys = this.#keys;
    try {
      await this.#withTimeout(
        this.#redis.settleRestResponse(
          keys.restStats(),
          keys.restGlobal(),
          keys.restRoutes(),
          keys.restBucket(bucketHash || '-', key.major),
          keys.restGlobalBlock(),
          keys.restInvalidRequests(),
          keys.restDiscover(key.route, key.major),
          key.route,
          bucketHash,
          limits.limit ?? '',
          limits.remaining ?? '',
          limits.resetAfterMs ?? '',
          limits.status,
          limits.scope ?? '',
          limits.retryAfterMs ?? 0,
          reservation.token,
          reservation.discovering ? 1 : 0,
          key.exemptFromGlobal ? 1 : 0,
        ),
      );
    } catch (error) {
      this.#enterFallback(error);
    }
  }

  /** Adds the answers counted here since the last flush to the shared stats. Never throws. */
  async flushStats(): Promise<void> {
    clearTimeout(this.#statsFlush);
    this.#statsFlush = undefined;
    const count = this.#uncountedRequests;
    if (count === 0) return;
    this.#uncountedRequests = 0;
    try {
      await this.#withTimeout(this.#redis.hincrby(this.#keys.restStats(), 'requests', count));
    } catch (error) {
      // Tried again with the next flush: a write that timed out but landed late counts twice, which a
      // statistic can bear better than losing every count of a Redis outage.
      this.#uncountedRequests += count;
      this.#scheduleStatsFlush();
      this.#enterFallback(error);
    }
  }

  #scheduleStatsFlush(): void {
    this.#statsFlush ??= setTimeout(() => void this.flushStats(), this.#statsFlushMs).unref();
  }

  /** Counters kept in Redis for the whole cluster (requests, 429s by scope, invalid requests). */
  async clusterStats(): Promise<Record<string, number>> {
    await this.flushStats();
    const raw = await this.#redis.hgetall(this.#keys.restStats());
    return Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, Number(value)]));
  }

  async #decide(key: RouteKey, token: string): Promise<AcquireReply | 'fallback'> {
    const keys = this.#keys;
    const knownHash = key.exemptFromBuckets ? '-' : (this.#routeBuckets.get(key.route) ?? '');
    try {
      const reply = await this.#withTimeout(
        this.#redis.acquireRestPermit(
          keys.restInvalidRequests(),
          keys.restGlobal(),
          keys.restGlobalBlock(),
          keys.restRoutes(),
          keys.restBucket(knownHash || '-', key.major),
          keys.restDiscover(key.route, key.major),
          key.route,
          knownHash,
          this.#globalPerSecond,
          key.exemptFromGlobal ? 1 : 0,
          this.#breaker,
          this.#marginMs,
          token,
          2_000,
          key.exemptFromBuckets ? 1 : 0,
        ),
      );
      const decidedAt = performance.now();
      this.#breakerState = { openUntil: reply[0] === -1 ? decidedAt + reply[1] : 0, at: decidedAt };
      if (this.#usingFallback) {
        this.#usingFallback = false;
        this.#observer.onFallback?.(false);
      }
      return reply;
    } catch (error) {
      // Redis cannot vouch for the breaker any more: callbacks go through the local fallback too.
      this.#breakerState = undefined;
      this.#enterFallback(error);
      return 'fallback';
    }
  }

  #learnBucket(route: string, bucketHash: string): void {
    if (bucketHash === '') this.#routeBuckets.delete(route);
    else this.#routeBuckets.set(route, bucketHash);
  }

  #breakerOpen(waitMs: number): InvalidRequestBreakerOpenError {
    return new InvalidRequestBreakerOpenError(
      `${this.#breaker} invalid requests (401/403/429) in the last 10 minutes: Discord bans at 10,000, so calls are stopped for ${Math.ceil(waitMs / 1_000)} s`,
    );
  }

  #enterFallback(error: unknown): void {
    if (this.#usingFallback) return;
    this.#usingFallback = true;
    this.#observer.onFallback?.(true, error);
  }

  async #withTimeout<Value>(operation: Promise<Value>): Promise<Value> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      // The verdict waits for one turn of the event loop: after a stall of this process (GC, a busy
      // host), timers run before sockets are read, so an answer Redis sent in time would otherwise lose
      // the race and send this request through the local fallback, on top of the shared budget.
      timer = setTimeout(
        () => setImmediate(() => reject(new Error(`Redis did not answer within ${this.#redisTimeoutMs} ms`))),
        this.#redisTimeoutMs,
      );
    });
    try {
      return await Promise.race([operation, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
