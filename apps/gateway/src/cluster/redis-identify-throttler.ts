import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '@dgc/shared';
import type { IIdentifyThrottler } from '@discordjs/ws';

export interface RedisIdentifyThrottlerOptions {
  redis: Redis;
  keyPrefix: string;
  /** `max_concurrency` from GET /gateway/bot: identify buckets are `shard_id % maxConcurrency`. */
  maxConcurrency: number;
  /** Discord allows one identify per bucket per this long. */
  windowMs?: number;
}

/**
 * One IDENTIFY per `shard_id % max_concurrency` bucket per 5 s across every process and host. A slot is a
 * Redis key set with NX and a 5 s expiry: whoever sets it identifies, everyone else waits for its expiry,
 * and a process that dies holding a slot holds it for no longer than the window. Waiting is cancellable
 * through the shard's signal.
 */
export class RedisIdentifyThrottler implements IIdentifyThrottler {
  readonly #options: RedisIdentifyThrottlerOptions;

  constructor(options: RedisIdentifyThrottlerOptions) {
    this.#options = options;
  }

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const { redis, keyPrefix, maxConcurrency } = this.#options;
    const windowMs = this.#options.windowMs ?? 5_000;
    const key = `${keyPrefix}:identify:${shardId % maxConcurrency}`;
    for (;;) {
      signal.throwIfAborted();
      if ((await redis.set(key, String(shardId), 'PX', windowMs, 'NX')) === 'OK') return;
      const waitMs = await redis.pttl(key);
      // Small random spread so processes waiting on one bucket do not all ask at the same instant.
      await sleep(Math.max(waitMs, 0) + Math.floor(Math.random() * 25), undefined, { signal });
    }
  }
}
