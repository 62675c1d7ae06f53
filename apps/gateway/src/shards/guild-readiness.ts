import { type Logger, type Redis, RedisKeys } from '@dgc/shared';
import type { GatewayDispatchPayload, GatewayReadyDispatchData } from 'discord-api-types/v10';

/**
 * Tracks, for a shard set being brought up by a reshard, which shards have received all their guilds:
 * READY lists them unavailable, one GUILD_CREATE each follows. A shard is written 'identified' on READY
 * and 'ready' once the last GUILD_CREATE came (the reshard switches when all are ready). A shard resumed by
 * another process after a crash gets the GUILD_CREATEs it had not published replayed before RESUMED (the
 * ones before were in the cache already), so RESUMED makes an 'identified' shard ready.
 */
export class GuildReadiness {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #pending = new Map<number, Set<string>>();

  constructor(options: { redis: Redis; keyPrefix: string; generation: number; logger: Logger }) {
    this.#redis = options.redis;
    this.#key = new RedisKeys(options.keyPrefix).generationReady(options.generation);
    this.#logger = options.logger;
  }

  ready(shardId: number, data: GatewayReadyDispatchData): void {
    const guilds = new Set(data.guilds.map((guild) => guild.id));
    this.#pending.set(shardId, guilds);
    this.#write(shardId, guilds.size === 0 ? 'ready' : 'identified');
  }

  resumed(shardId: number): void {
    if (this.#pending.has(shardId)) return;
    this.#redis
      .hget(this.#key, String(shardId))
      .then((stored) => {
        if (stored === 'identified') this.#write(shardId, 'ready');
      })
      .catch((error: unknown) =>
        this.#logger.warn({ err: error, shardId }, 'reading shard readiness failed'),
      );
  }

  see(dispatch: GatewayDispatchPayload, shardId: number): void {
    if (dispatch.t !== 'GUILD_CREATE') return;
    const pending = this.#pending.get(shardId);
    if (!pending?.delete(dispatch.d.id) || pending.size > 0) return;
    this.#write(shardId, 'ready');
  }

  #write(shardId: number, value: 'identified' | 'ready'): void {
    this.#redis
      .hset(this.#key, String(shardId), value)
      .catch((error: unknown) =>
        this.#logger.warn({ err: error, shardId }, 'writing shard readiness failed'),
      );
  }
}
