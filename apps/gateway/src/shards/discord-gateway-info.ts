import { type Logger, type Redis, RedisKeys } from '@dgc/shared';
import { REST } from '@discordjs/rest';
import type { APIGatewayBotInfo } from 'discord-api-types/v10';
import type { GatewayConfig } from '../config.js';

/** Gateway information is cached this long: GET /gateway/bot has a tight rate limit. */
const gatewayInfoTtlMs = 60_000;

/**
 * GET /gateway/bot for every shard set of the process, cached for a minute, and copied to Redis each time
 * it is read from Discord: tools without the bot token (`npm run cluster -- reshard`) check the
 * session-start budget and Discord's recommended shard count there.
 */
export class DiscordGatewayInfo {
  readonly #rest: REST;
  readonly #redis: Redis;
  readonly #key: string;
  readonly #logger: Logger;
  #cached: { at: number; info: Promise<APIGatewayBotInfo> } | undefined;

  constructor(options: { config: GatewayConfig; redis: Redis; logger: Logger }) {
    const { config } = options;
    this.#rest = new REST({ api: config.DISCORD_API_URL, version: '10' }).setToken(config.DISCORD_TOKEN);
    this.#redis = options.redis;
    this.#key = new RedisKeys(config.REDIS_KEY_PREFIX).discordGatewayInfo();
    this.#logger = options.logger;
  }

  read(force = false): Promise<APIGatewayBotInfo> {
    if (force || !this.#cached || Date.now() - this.#cached.at > gatewayInfoTtlMs) {
      const info = this.#rest.get('/gateway/bot') as Promise<APIGatewayBotInfo>;
      this.#cached = { at: Date.now(), info };
      info.then(
        (answer) => this.#publish(answer),
        () => {
          this.#cached = undefined;
        },
      );
    }
    return this.#cached.info;
  }

  #publish(info: APIGatewayBotInfo): void {
    const limit = info.session_start_limit;
    this.#redis
      .hset(this.#key, {
        shards: info.shards,
        remaining: limit.remaining,
        total: limit.total,
        resetAfter: limit.reset_after,
        maxConcurrency: limit.max_concurrency,
        updatedAt: Date.now(),
      })
      .catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'could not copy GET /gateway/bot to Redis'),
      );
  }
}
