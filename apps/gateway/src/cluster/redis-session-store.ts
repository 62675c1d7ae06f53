import { type Logger, type Redis, RedisKeys, type RedisScriptCommands, withRedisScripts } from '@dgc/shared';
import type { SessionInfo } from '@discordjs/ws';
import { PublishedWatermark } from '../publish/published-watermark.js';

export interface RedisSessionStoreOptions {
  redis: Redis;
  keyPrefix: string;
  /** The shard set these sessions belong to. */
  generation: number;
  logger: Logger;
  /** How often changed sessions are written: the bound on how stale the stored sequence is. */
  flushEveryMs?: number;
  /** Discord keeps a session resumable for a limited time; older records are useless. */
  ttlMs?: number;
}

/**
 * Shard sessions kept resumable across processes. @discordjs/ws awaits the session hooks on every
 * dispatch, so they only touch memory; a periodic flush writes what changed to Redis, with a sequence
 * that never goes backwards. The stored sequence is the shard's *published* watermark — every dispatch
 * up to it is in Redis — so a process that crashes with events still buffered loses none: the next owner
 * resumes from the watermark and Discord replays the rest (replayed duplicates are deduped by workers).
 * Staleness is bounded by `flushEveryMs` plus the publish latency and costs only a longer replay.
 */
export class RedisSessionStore {
  readonly #redis: Redis & RedisScriptCommands;
  readonly #keys: RedisKeys;
  readonly #generation: number;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #sessions = new Map<number, SessionInfo>();
  readonly #watermarks = new Map<number, PublishedWatermark>();
  readonly #dirty = new Set<number>();
  readonly #deleted = new Set<number>();
  readonly #timer: NodeJS.Timeout;
  /** Shards being handed over: their closing must not erase the session the next owner resumes. */
  readonly #handingOff = new Set<number>();

  constructor(options: RedisSessionStoreOptions) {
    this.#redis = withRedisScripts(options.redis);
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#generation = options.generation;
    this.#logger = options.logger;
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#timer = setInterval(() => {
      this.flush().catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'writing shard sessions to Redis failed; will retry'),
      );
    }, options.flushEveryMs ?? 250);
    this.#timer.unref();
  }

  /** For `retrieveSessionInfo`: read from Redis when a shard starts, from memory afterwards. */
  async retrieve(shardId: number): Promise<SessionInfo | null> {
    this.#handingOff.delete(shardId);
    const known = this.#sessions.get(shardId);
    if (known) {
      // Called on every dispatch: @discordjs/ws sets the dispatch's sequence on what it gets and hands it
      // to `update`, which stores it, so one object per shard serves every call.
      known.sequence = this.watermark(shardId).value;
      return known;
    }
    const stored = await this.#redis.hgetall(this.#keys.shardSession(this.#generation, shardId));
    if (!stored.sessionId || !stored.resumeURL) return null;
    const session: SessionInfo = {
      shardId,
      sessionId: stored.sessionId,
      sequence: Number(stored.sequence),
      resumeURL: stored.resumeURL,
      shardCount: Number(stored.shardCount),
    };
    this.#sessions.set(shardId, session);
    this.watermark(shardId).reset(session.sequence);
    this.#logger.info({ shardId, sequence: session.sequence }, 'found a resumable session in Redis');
    return session;
  }

  /** For `updateSessionInfo`: memory only; the flush writes it. */
  update(shardId: number, session: SessionInfo | null): void {
    if (session === null) {
      // During a hand-off the session must outlive this process: another one resumes it.
      if (this.#handingOff.has(shardId)) return;
      this.#sessions.delete(shardId);
      this.#dirty.delete(shardId);
      this.#deleted.add(shardId);
      return;
    }
    const previous = this.#sessions.get(shardId);
    if (previous?.sessionId !== session.sessionId) this.watermark(shardId).reset(0);
    this.#sessions.set(shardId, session);
    this.#deleted.delete(shardId);
    this.#dirty.add(shardId);
  }

  /** The session a shard is running now, if it has one. */
  sessionIdOf(shardId: number): string | undefined {
    return this.#sessions.get(shardId)?.sessionId;
  }

  watermark(shardId: number): PublishedWatermark {
    let watermark = this.#watermarks.get(shardId);
    if (!watermark) {
      watermark = new PublishedWatermark(() => this.touch(shardId));
      this.#watermarks.set(shardId, watermark);
    }
    return watermark;
  }

  /** Closing this shard keeps its session for the next owner (until the shard starts here again). */
  handOff(shardId: number): void {
    this.#handingOff.add(shardId);
  }

  /**
   * After a shard stopped here: writes its session now (the next owner replays less) and forgets it, so
   * that if this process owns the shard again it reads the newer owner's session from Redis instead of
   * resuming from its own stale memory.
   */
  async release(shardId: number): Promise<void> {
    this.#dirty.delete(shardId);
    try {
      await this.#write(shardId);
    } finally {
      this.#sessions.delete(shardId);
      this.#watermarks.delete(shardId);
    }
  }

  async flush(): Promise<void> {
    const dirty = [...this.#dirty];
    const deleted = [...this.#deleted];
    this.#dirty.clear();
    this.#deleted.clear();
    try {
      await Promise.all([
        ...dirty.map((shardId) => this.#write(shardId)),
        ...deleted.map((shardId) => this.#redis.del(this.#keys.shardSession(this.#generation, shardId))),
      ]);
    } catch (error) {
      for (const shardId of dirty) this.#dirty.add(shardId);
      for (const shardId of deleted) this.#deleted.add(shardId);
      throw error;
    }
  }

  /** Marks a shard's session for the next flush because its watermark moved. */
  touch(shardId: number): void {
    if (this.#sessions.has(shardId)) this.#dirty.add(shardId);
  }

  /** A shard of a retired set: its session ends at Discord, and no one resumes it. */
  async forget(shardId: number): Promise<void> {
    this.#sessions.delete(shardId);
    this.#watermarks.delete(shardId);
    this.#dirty.delete(shardId);
    this.#deleted.delete(shardId);
    await this.#redis.del(this.#keys.shardSession(this.#generation, shardId));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  /** Writes a shard's session with its published watermark (never moving the stored sequence back). */
  async #write(shardId: number): Promise<void> {
    const session = this.#sessions.get(shardId);
    if (!session) return;
    await this.#redis.writeSession(
      this.#keys.shardSession(this.#generation, shardId),
      session.sessionId,
      this.watermark(shardId).value,
      session.resumeURL,
      session.shardCount,
      this.#ttlMs,
    );
  }
}
