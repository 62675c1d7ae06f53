import {
  type CacheEntityKind,
  createRedisConnection,
  type Logger,
  type Redis,
  RedisKeys,
  type RedisTarget,
  withRedisScripts,
} from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import type { HeldShardLeases } from '../cluster/held-shard-leases.js';
import type { WriteReceipt } from '../publish/batching-publisher.js';
import { CacheBatch } from './cache-batch.js';
import { type CacheWriteOf, cacheEventTable, type PreparedCacheWrite } from './cache-event-table.js';
import { type CacheIntake, CacheIntakeThrottle } from './cache-intake-throttle.js';
import { entityCounts } from './guild-replacement.js';
import type { ScriptConnection } from './ordered-command-batch.js';

export interface StateCacheWriterOptions {
  redisTarget: RedisTarget;
  keyPrefix: string;
  entities: ReadonlySet<CacheEntityKind>;
  /** A flush is sent when this many dispatches wait, or when the first has waited `maxWaitMs`. */
  maxEvents: number;
  maxWaitMs: number;
  /** Past this many waiting dispatches (Redis unreachable), new ones are dropped, counted and logged. */
  maxBuffered: number;
  /** Waiting entries at which the shards are paused (CACHE_MAX_PENDING_ENTRIES); a flush holds at most half. */
  maxPendingEntries: number;
  /** The longest pause of the shards (default 5 s). */
  maxPauseMs?: number;
  /** A shard whose lease this process lost: its waiting dispatches are dropped (its next owner replays). */
  leases: Pick<HeldShardLeases, 'holds'>;
  logger: Logger;
}

interface WaitingDispatch {
  write: PreparedCacheWrite;
  shardId: number;
  receipt: WriteReceipt;
}

const retryDelayMs = { initial: 100, max: 5_000 };

/**
 * The gateway's cache stage: the router hands it the dispatches that change the shared state cache (in
 * each shard's order); it buffers them and applies them to Redis in batches, one round trip and one flush
 * at a time, so writes land in the order they arrived, off the shard's event path (nothing is awaited
 * per event). A dispatch's receipt is confirmed once its writes are applied, so the shard's stored resume
 * point never passes a cache change not yet in Redis, and a crash replays it.
 * Memory stays bounded whatever the guild count: a dispatch is reduced to its compact, serialised writes as
 * it arrives (the raw payload is not kept), a flush holds a bounded number of entries, and while more than
 * `maxPendingEntries` wait the shards stop reading (`CacheIntakeThrottle`).
 */
export class StateCacheWriter {
  readonly #table: ReadonlyMap<string, CacheWriteOf>;
  readonly #options: StateCacheWriterOptions;
  readonly #keys: RedisKeys;
  /** Its own connection: the lanes' pipelines do not wait behind a GUILD_CREATE storm, nor it behind them. */
  readonly #redis: ScriptConnection;
  #buffer: WaitingDispatch[] = [];
  #writing = false;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #retryPending = false;
  #idleWaiters: (() => void)[] = [];
  readonly #writes: Record<CacheEntityKind, number> = entityCounts();
  #dropped = 0;
  readonly #throttle: CacheIntakeThrottle;
  readonly #maxBatchEntries: number;

  constructor(options: StateCacheWriterOptions) {
    this.#options = options;
    this.#throttle = new CacheIntakeThrottle({
      maxPendingEntries: options.maxPendingEntries,
      maxPauseMs: options.maxPauseMs ?? 5_000,
      logger: options.logger,
    });
    this.#maxBatchEntries = Math.max(1, Math.floor(options.maxPendingEntries / 2));
    this.#table = cacheEventTable(options.entities);
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#redis = withRedisScripts(
      createRedisConnection({ target: options.redisTarget, connectionName: 'gateway:cache' }),
    );
  }

  /** Whether this event changes the cache (the router asks for every dispatch: one Map lookup). */
  handles(event: string): boolean {
    return this.#table.has(event);
  }

  /** Cache writes applied since start, by entity (for metrics). */
  get writes(): Readonly<Record<CacheEntityKind, number>> {
    return this.#writes;
  }

  /** Dispatches dropped because the buffer was full (for metrics). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Dispatches waiting to be applied. */
  get pendingCount(): number {
    return this.#buffer.length;
  }

  /** Cache entries waiting to be applied (what the shards' pauses bound). */
  get pendingEntries(): number {
    return this.#throttle.pending;
  }

  /** Times the shards were paused for the cache to catch up, and for how long in all. */
  get intakePauses(): { pauses: number; pausedMs: number } {
    return this.#throttle.stats;
  }

  /** The shards, paused while too many cache entries wait (they are built after the writer). */
  attachIntake(intake: CacheIntake): void {
    this.#throttle.attach(intake);
  }

  /** The connection the cache is written on (the size report reads through it). */
  get redis(): Redis {
    return this.#redis;
  }

  /** Accepts a dispatch that `handles` said yes to; `receipt` is confirmed once its writes are applied. */
  apply(dispatch: GatewayDispatchPayload, shardId: number, receipt: WriteReceipt): void {
    const write = this.#table.get(dispatch.t)?.(dispatch.d as never);
    if (!write) {
      receipt.confirm();
      return;
    }
    if (this.#buffer.length >= this.#options.maxBuffered) {
      // Memory stays bounded while Redis is away; the guild is whole again at its next GUILD_CREATE.
      this.#dropped += 1;
      if (this.#dropped % 1_000 === 1)
        this.#options.logger.error(
          { dropped: this.#dropped, buffered: this.#buffer.length },
          'state cache buffer full: dropping cache writes until Redis catches up',
        );
      receipt.confirm();
      return;
    }
    this.#buffer.push({ write, shardId, receipt });
    this.#throttle.added(write.weight, this.#failures === 0);
    if (this.#buffer.length >= this.#options.maxEvents || this.#throttle.pending >= this.#maxBatchEntries)
      this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.maxWaitMs);
  }

  /** Resolves once every accepted dispatch is applied, or rejects when `deadline` aborts first. */
  async drain(deadline: AbortSignal): Promise<void> {
    this.#flush();
    if (this.#isIdle()) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () =>
        reject(new Error(`${this.#buffer.length} cache writes not applied before the drain deadline`));
      deadline.addEventListener('abort', onAbort, { once: true });
      this.#idleWaiters.push(() => {
        deadline.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#throttle.close();
    // QUIT would wait in the offline queue of a connection that never came up.
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => {});
    else this.#redis.disconnect();
  }

  #isIdle(): boolean {
    return this.#buffer.length === 0 && !this.#writing;
  }

  #flush(): void {
    if (this.#retryPending) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // One batch at a time: a later batch must not land before an earlier one.
    if (this.#writing || this.#buffer.length === 0) return;
    const taken = this.#buffer.splice(0, this.#batchSize());
    const owned = taken.filter((waiting) => this.#options.leases.holds(waiting.shardId));
    if (owned.length < taken.length) {
      this.#throttle.removed(weightOf(taken) - weightOf(owned));
      this.#options.logger.warn(
        { dropped: taken.length - owned.length },
        'dropped cache writes of shards whose lease this process lost; their next owner replays them',
      );
    }
    if (owned.length === 0) {
      this.#afterBatch();
      return;
    }
    const batch = new CacheBatch(this.#redis, this.#keys);
    this.#writing = true;
    const reads = owned.flatMap(({ write }) => (write.before ? [write.before(this.#redis, this.#keys)] : []));
    const send = () => {
      this.#fill(batch, owned);
      return batch.exec();
    };
    const written = reads.length === 0 ? send() : Promise.all(reads).then(send);
    written.then(
      () => this.#onApplied(owned, batch),
      (error: unknown) => this.#onFailed(owned, error),
    );
  }

  #fill(batch: CacheBatch, dispatches: readonly WaitingDispatch[]): void {
    for (const { write } of dispatches) write.apply(batch);
  }

  /** Dispatches in the next flush: at most `maxEvents`, and at most `#maxBatchEntries` entries (one or more). */
  #batchSize(): number {
    let entries = 0;
    let count = 0;
    for (const waiting of this.#buffer) {
      if (count >= this.#options.maxEvents) break;
      if (count > 0 && entries + waiting.write.weight > this.#maxBatchEntries) break;
      entries += waiting.write.weight;
      count += 1;
    }
    return count;
  }

  #onApplied(batch: readonly WaitingDispatch[], applied: CacheBatch): void {
    this.#writing = false;
    this.#failures = 0;
    this.#throttle.removed(weightOf(batch));
    for (const entity of Object.keys(applied.writes) as CacheEntityKind[])
      this.#writes[entity] += applied.writes[entity];
    for (const waiting of batch) waiting.receipt.confirm();
    this.#afterBatch();
  }

  #onFailed(batch: WaitingDispatch[], error: unknown): void {
    this.#writing = false;
    this.#failures += 1;
    this.#throttle.writesFailing();
    // Back to the front: every write sets or deletes whole entries, so re-applying a partly applied
    // pipeline ends in the same state.
    this.#buffer = batch.concat(this.#buffer);
    const delay = Math.min(retryDelayMs.initial * 2 ** (this.#failures - 1), retryDelayMs.max);
    this.#options.logger.error(
      { err: error, events: batch.length, buffered: this.#buffer.length, retryInMs: delay },
      'applying cache writes to Redis failed; will retry',
    );
    this.#retryPending = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#retryPending = false;
      this.#timer = undefined;
      this.#flush();
    }, delay);
  }

  #afterBatch(): void {
    if (this.#buffer.length >= this.#options.maxEvents || this.#throttle.pending >= this.#maxBatchEntries)
      this.#flush();
    else if (this.#buffer.length > 0)
      this.#timer ??= setTimeout(() => this.#flush(), this.#options.maxWaitMs);
    else if (!this.#writing) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}

function weightOf(dispatches: readonly WaitingDispatch[]): number {
  let entries = 0;
  for (const waiting of dispatches) entries += waiting.write.weight;
  return entries;
}
