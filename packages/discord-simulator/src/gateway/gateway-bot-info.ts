import type { APIGatewayBotInfo } from 'discord-api-types/v10';
import type { IdentifyLimiter } from './identify-limiter.js';

/** What `GET /gateway` and `GET /gateway/bot` tell a client: the URL, the shard count, the identify budget. */
export class GatewayBotInfo {
  readonly url: string;
  #shardCount: number;
  readonly #identifyLimiter: IdentifyLimiter;

  constructor(url: string, shardCount: number, identifyLimiter: IdentifyLimiter) {
    this.url = url;
    this.#shardCount = shardCount;
    this.#identifyLimiter = identifyLimiter;
  }

  /** The shard count Discord recommends now (`shards`). */
  get recommendedShardCount(): number {
    return this.#shardCount;
  }

  /**
   * Changes the recommendation, as Discord does when a bot grows. Sessions already open keep their own
   * count: events are routed to each session by the count it identified with, so sets of two counts coexist.
   */
  set recommendedShardCount(count: number) {
    if (!Number.isInteger(count) || count < 1 || count > 1_024)
      throw new Error('shard count must be a whole number from 1 to 1024');
    this.#shardCount = count;
  }

  bot(): APIGatewayBotInfo {
    const limiter = this.#identifyLimiter;
    return {
      url: this.url,
      shards: this.#shardCount,
      session_start_limit: {
        total: limiter.total,
        remaining: limiter.remaining,
        reset_after: limiter.resetAfterMs(),
        max_concurrency: limiter.maxConcurrency,
      },
    };
  }
}
