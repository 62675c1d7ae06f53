import type { APIGatewayBotInfo } from 'discord-api-types/v10';
import type { IdentifyLimiter } from './identify-limiter.js';

/** What `GET /gateway` and `GET /gateway/bot` tell a client: the URL, the shard count, the identify budget. */
export class GatewayBotInfo {
  readonly url: string;
  readonly #shardCount: number;
  readonly #identifyLimiter: IdentifyLimiter;

  constructor(url: string, shardCount: number, identifyLimiter: IdentifyLimiter) {
    this.url = url;
    this.#shardCount = shardCount;
    this.#identifyLimiter = identifyLimiter;
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
