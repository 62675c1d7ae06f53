import { type Logger, type Redis, RedisKeys } from '@dgc/shared';
import type { GatewayDispatchPayload, GatewayReadyDispatchData } from 'discord-api-types/v10';
import type { RedisSessionStore } from '../cluster/redis-session-store.js';

/** How long a shard waits before asking again to store its session (a failed write) ahead of 'ready'. */
const persistRetryMs = 250;

/**
 * Tracks, for a shard set being brought up by a reshard, which shards have received all their guilds:
 * READY lists them unavailable, one GUILD_CREATE each follows. A shard is written 'identified' on READY
 * and 'ready' once the last GUILD_CREATE came (the reshard switches when all are ready). A shard resumed by
 * another process after a crash gets the GUILD_CREATEs it had not published replayed before RESUMED (the
 * ones before were in the cache already), so RESUMED makes an 'identified' shard ready.
 *
 * 'ready' is written only once the shard's session is in Redis. Once every shard is ready the switch time
 * is set, and from it the old set publishes nothing of these guilds: a shard whose process dies then must
 * be resumed by the next owner so Discord replays what it missed. Marked ready before its first session
 * flush (every 250 ms), a shard killed just after its guilds came left no session to resume: the next owner
 * identified a new one, Discord replays nothing of the old, and the events from the switch time until the
 * new session's READY were published by neither set.
 */
export class GuildReadiness {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #sessions: Pick<RedisSessionStore, 'persist'>;
  readonly #pending = new Map<number, Set<string>>();

  constructor(options: {
    redis: Redis;
    keyPrefix: string;
    generation: number;
    logger: Logger;
    sessions: Pick<RedisSessionStore, 'persist'>;
  }) {
    this.#redis = options.redis;
    this.#key = new RedisKeys(options.keyPrefix).generationReady(options.generation);
    this.#logger = options.logger;
    this.#sessions = options.sessions;
  }

  ready(shardId: number, data: GatewayReadyDispatchData): void {
    const guilds = new Set(data.guilds.map((guild) => guild.id));
    this.#pending.set(shardId, guilds);
    if (guilds.size === 0) this.#markReady(shardId);
    else this.#write(shardId, 'identified');
  }

  resumed(shardId: number): void {
    if (this.#pending.has(shardId)) return;
    this.#redis
      .hget(this.#key, String(shardId))
      .then((stored) => {
        if (stored === 'identified') this.#markReady(shardId);
      })
      .catch((error: unknown) =>
        this.#logger.warn({ err: error, shardId }, 'reading shard readiness failed'),
      );
  }

  see(dispatch: GatewayDispatchPayload, shardId: number): void {
    if (dispatch.t !== 'GUILD_CREATE') return;
    const pending = this.#pending.get(shardId);
    if (!pending?.delete(dispatch.d.id) || pending.size > 0) return;
    this.#markReady(shardId);
  }

  /** Stores the shard's session, then writes it ready; a shard no longer run here is left to its next owner. */
  #markReady(shardId: number): void {
    this.#sessions.persist(shardId).then(
      (stored) => {
        if (stored) this.#write(shardId, 'ready');
      },
      (error: unknown) => {
        this.#logger.warn({ err: error, shardId }, 'storing the session of a ready shard failed; retrying');
        setTimeout(() => this.#markReady(shardId), persistRetryMs).unref();
      },
    );
  }

  #write(shardId: number, value: 'identified' | 'ready'): void {
    this.#redis
      .hset(this.#key, String(shardId), value)
      .catch((error: unknown) =>
        this.#logger.warn({ err: error, shardId }, 'writing shard readiness failed'),
      );
  }
}
