import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger, type Redis, RedisKeys, withRedisScripts } from '@dgc/shared';
import type { IIdentifyThrottler } from '@discordjs/ws';
import type { APIGatewaySessionStartLimit } from 'discord-api-types/v10';

/** A waiter that has not polled for this long is considered gone. */
const staleWaiterMs = 3_000;

export interface RedisIdentifyThrottlerOptions {
  redis: Redis;
  keyPrefix: string;
  /** The shard set whose identify history this throttler keeps (the concurrency buckets are the bot's). */
  generation: number;
  /** `max_concurrency` from GET /gateway/bot: identify buckets are `shard_id % maxConcurrency`. */
  maxConcurrency: number;
  /** Discord allows one identify per bucket per this long. */
  windowMs?: number;
  /**
   * Added to the window between two identifies of a bucket: Discord counts the window at arrival, and two
   * processes' IDENTIFYs travel with different delays (a busy event loop, the network). @discordjs/ws's own
   * throttler adds up to 1.5 s of jitter for the same reason.
   */
  marginMs?: number;
  /** The session start budget as Discord reports it now (GET /gateway/bot); absent: no budget guard. */
  sessionStartLimit?: () => Promise<APIGatewaySessionStartLimit>;
  logger?: Logger;
  /** A warning is logged when fewer than this share of the daily identifies remain. */
  warnBelowShare?: number;
  /** More identifies than this for one shard within `loopWindowMs` is an identify loop... */
  loopThreshold?: number;
  loopWindowMs?: number;
  /** ...and the shard's next identify waits, doubling per further identify, up to `maxBackoffMs`. */
  loopBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Guards every IDENTIFY of the bot, across every process and host (@discordjs/ws calls it before IDENTIFY
 * only, never before RESUME):
 * - **Concurrency**: one identify per `shard_id % max_concurrency` bucket per 5 s, through a slot key with
 *   a 5 s expiry (a process that dies holding it holds it for no longer than the window), granted in
 *   arrival order across processes (a FIFO queue in Redis; waiters that stop polling drop out).
 * - **Daily budget**: with no session starts left, identifies wait for Discord's reset instead of failing
 *   (which would only be retried); below `warnBelowShare` of the total a warning is logged.
 * - **Identify loops**: a shard identifying more than `loopThreshold` times in `loopWindowMs` (a crash loop,
 *   a session invalidated again and again) backs off exponentially; the history lives in Redis, so it
 *   survives the restarts of a crash-looping process.
 * Every wait is cancellable through the shard's signal.
 */
export class RedisIdentifyThrottler implements IIdentifyThrottler {
  readonly #options: RedisIdentifyThrottlerOptions;
  readonly #keys: RedisKeys;

  constructor(options: RedisIdentifyThrottlerOptions) {
    this.#options = options;
    this.#keys = new RedisKeys(options.keyPrefix);
  }

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    await this.#waitOutLoop(shardId, signal);
    await this.#waitForBudget(signal);
    await this.#waitForSlot(shardId, signal);
    // The IDENTIFY goes out as soon as this returns: the history write must not delay it.
    this.#recordIdentify(shardId).catch((error: unknown) =>
      this.#options.logger?.warn({ shardId, err: error }, 'could not record an identify in its history'),
    );
  }

  async #waitForSlot(shardId: number, signal: AbortSignal): Promise<void> {
    const { redis, maxConcurrency } = this.#options;
    const windowMs = (this.#options.windowMs ?? 5_000) + (this.#options.marginMs ?? 250);
    const bucket = this.#keys.identifyBucket(shardId % maxConcurrency);
    const waiter = `${shardId}:${randomUUID()}`;
    const commands = withRedisScripts(redis);
    try {
      for (;;) {
        signal.throwIfAborted();
        const waitMs = await commands.takeIdentifySlot(
          bucket.slot,
          bucket.queue,
          bucket.seen,
          waiter,
          windowMs,
          staleWaiterMs,
        );
        if (waitMs === 0) return;
        await sleep(Math.min(waitMs, staleWaiterMs / 3), undefined, { signal });
      }
    } finally {
      // A waiter that gave up (aborted) must not hold the head of the queue.
      await redis.zrem(bucket.queue, waiter).catch(() => {});
    }
  }

  async #waitForBudget(signal: AbortSignal): Promise<void> {
    const read = this.#options.sessionStartLimit;
    if (!read) return;
    for (;;) {
      signal.throwIfAborted();
      const limit = await read();
      if (limit.remaining > 0) {
        if (limit.remaining < limit.total * (this.#options.warnBelowShare ?? 0.1)) {
          this.#options.logger?.warn(
            { remaining: limit.remaining, total: limit.total, resetAfterMs: limit.reset_after },
            'few session starts (identifies) left today',
          );
        }
        return;
      }
      const waitMs = Math.max(limit.reset_after, 1_000);
      this.#options.logger?.error(
        { total: limit.total, resetAfterMs: limit.reset_after },
        'no session starts left today: identifies wait for Discord’s reset',
      );
      // For operators' tools (`npm run cluster -- status`): why shards are not identifying, and until when.
      const { redis } = this.#options;
      const budgetKey = this.#keys.identifyBudgetExhausted();
      await redis
        .multi()
        .hset(budgetKey, {
          remaining: 0,
          total: limit.total,
          resetAt: Date.now() + limit.reset_after,
          updatedAt: Date.now(),
        })
        .pexpire(budgetKey, waitMs)
        .exec()
        .catch(() => undefined);
      await sleep(waitMs, undefined, { signal });
    }
  }

  async #waitOutLoop(shardId: number, signal: AbortSignal): Promise<void> {
    const { redis } = this.#options;
    const threshold = this.#options.loopThreshold ?? 3;
    const windowMs = this.#options.loopWindowMs ?? 60_000;
    const now = Date.now();
    const key = this.#keys.identifyHistory(this.#options.generation, shardId);
    await redis.zremrangebyscore(key, '-inf', now - windowMs);
    const recent = await redis.zrange(key, 0, -1, 'WITHSCORES');
    const times = recent.filter((_, index) => index % 2 === 1).map(Number);
    const excess = times.length - threshold;
    if (excess < 0) return;
    const backoffMs = Math.min(
      (this.#options.loopBackoffMs ?? 30_000) * 2 ** excess,
      this.#options.maxBackoffMs ?? 600_000,
    );
    const waitMs = Math.max(0, (times.at(-1) ?? now) + backoffMs - now);
    if (waitMs === 0) return;
    this.#options.logger?.error(
      { shardId, identifiesInWindow: times.length, windowMs, waitMs },
      'identify loop: backing off before this shard identifies again',
    );
    await sleep(waitMs, undefined, { signal });
  }

  async #recordIdentify(shardId: number): Promise<void> {
    const { redis } = this.#options;
    const now = Date.now();
    const key = this.#keys.identifyHistory(this.#options.generation, shardId);
    await redis
      .multi()
      .zadd(key, now, `${now}:${Math.random().toString(36).slice(2, 8)}`)
      .pexpire(key, this.#options.loopWindowMs ?? 60_000)
      .exec();
  }
}
