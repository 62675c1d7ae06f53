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
 * Told when a shard's session write found another Redis server than the last one (a restart or a
 * failover) still holding this session: the shard's watermark is held at the sequence that server has, and
 * the shard must reconnect to resume from it so Discord replays what that server lost.
 */
export type ResumeFromStoredSequence = (shardId: number, storedSequence: number) => void;

/**
 * Shard sessions kept resumable across processes. @discordjs/ws awaits the session hooks on every
 * dispatch, so they only touch memory; a periodic flush writes what changed to Redis, with a sequence
 * that never goes backwards. The stored sequence is the shard's *published* watermark — every dispatch
 * up to it is in Redis — so a process that crashes with events still buffered loses none: the next owner
 * resumes from the watermark and Discord replays the rest (replayed duplicates are deduped by workers).
 * Staleness is bounded by `flushEveryMs` plus the publish latency and costs only a longer replay.
 *
 * A session's first write cannot wait for the flush: until Redis holds it, a crash leaves nothing to
 * resume, the next owner identifies, and everything the old session carried from then on is lost. So a
 * new session (READY) and a resumed one (RESUMED) are written at once; both are rare, and no dispatch
 * pays for it.
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
  /** Per shard, the `run_id` of the Redis server its session was last written to by this process. */
  readonly #servers = new Map<number, string>();
  #onServerReplaced: ResumeFromStoredSequence | undefined;

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

  /** Who resumes a shard whose Redis lost writes (the shard connections); set once at start. */
  onServerReplaced(resume: ResumeFromStoredSequence): void {
    this.#onServerReplaced = resume;
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

  /** For `updateSessionInfo`: memory only, the flush writes it; a new session is also written at once. */
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
    const started = previous?.sessionId !== session.sessionId;
    if (started) {
      this.watermark(shardId).reset(0);
      // No server has lost writes of a session none has held: its first write checks nothing.
      this.#servers.delete(shardId);
    }
    this.#sessions.set(shardId, session);
    this.#deleted.delete(shardId);
    this.#dirty.add(shardId);
    // READY: @discordjs/ws awaits this hook before it emits the READY, so the write is on its way before
    // anything else of the session happens. Not awaited: the hook must not hold the shard's dispatches.
    if (started) this.#writeSoon(shardId, 'new session');
  }

  /**
   * For RESUMED: the session is written at once rather than at the next flush. A shard resumed from this
   * process's memory (Discord asked it to reconnect) may find Redis without its session (restarted, or
   * expired while the connection was down); written now, a crash right after still leaves it resumable.
   */
  resumed(shardId: number): void {
    this.#writeSoon(shardId, 'resumed session');
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
      this.#servers.delete(shardId);
    }
  }

  /**
   * Writes every session this process runs, not only those whose watermark moved: each write also checks
   * that Redis is still the server it wrote to before, so a restart or failover is noticed within one
   * flush even on a quiet shard whose last events that server may have lost.
   */
  async flush(): Promise<void> {
    for (const shardId of this.#sessions.keys()) this.#dirty.add(shardId);
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

  /**
   * Writes a shard's session now rather than at the next flush, for a caller that must know another
   * process could resume it: true once Redis holds it, false when this process runs no session for the
   * shard (stopped, or never identified). Throws when the write failed or Redis refused it (another
   * server): the caller tries again later.
   */
  async persist(shardId: number): Promise<boolean> {
    if (!this.#sessions.has(shardId)) return false;
    const status = await this.#write(shardId);
    if (status === -1) throw new Error(`shard ${shardId}'s session was not written: Redis was replaced`);
    return status !== undefined;
  }

  /** Writes a shard's session now without waiting for it; a failed write is left to the next flush. */
  #writeSoon(shardId: number, what: string): void {
    this.#write(shardId).catch((error: unknown) => {
      if (this.#sessions.has(shardId)) this.#dirty.add(shardId);
      this.#logger.warn({ err: error, shardId }, `writing a ${what} to Redis failed; the next flush retries`);
    });
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

  /**
   * Writes a shard's session with its published watermark (never moving the stored sequence back), on
   * the Redis server it was last written to. On another server (restarted, or a replica promoted) the
   * write is refused: that server may have lost this process's last writes, so the shard resumes from the
   * sequence it holds rather than this process's later watermark covering the loss.
   */
  async #write(shardId: number): Promise<number | undefined> {
    const session = this.#sessions.get(shardId);
    if (!session) return undefined;
    const watermark = this.watermark(shardId);
    const [status, runId, storedSequence] = await this.#redis.writeSession(
      this.#keys.shardSession(this.#generation, shardId),
      session.sessionId,
      watermark.value,
      session.resumeURL,
      session.shardCount,
      this.#ttlMs,
      this.#servers.get(shardId) ?? '',
    );
    this.#servers.set(shardId, runId);
    if (status !== -1 || this.#handingOff.has(shardId)) return status;
    if (storedSequence < 0) {
      // Written again at the next flush with this process's watermark: nothing better is known.
      this.#dirty.add(shardId);
      this.#logger.error(
        { shardId, watermark: watermark.value },
        'Redis was restarted or failed over and lost this shard session; events written in its last moments may be lost',
      );
      return status;
    }
    this.#logger.warn(
      { shardId, watermark: watermark.value, storedSequence },
      'Redis was restarted or failed over; resuming the shard from the sequence it holds, so Discord replays what it lost',
    );
    watermark.holdAt(storedSequence);
    this.#onServerReplaced?.(shardId, storedSequence);
    return status;
  }
}
