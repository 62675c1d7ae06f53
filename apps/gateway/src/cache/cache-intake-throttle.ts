import type { Logger } from '@dgc/shared';

/** What the throttle pauses: the shards' reading of their sockets. */
export interface CacheIntake {
  pauseIntake(): void;
  resumeIntake(): void;
}

export interface CacheIntakeThrottleOptions {
  /** Waiting entries at which the shards stop reading; they read again at half. */
  maxPendingEntries: number;
  /**
   * A pause longer than this is ended whatever the backlog (then no new pause until it is down to half):
   * a paused shard reads no heartbeat acknowledgements either, and Discord's interval is ~41 s.
   */
  maxPauseMs: number;
  logger: Logger;
}

/**
 * Backpressure from the state cache to the shards: counts the cache entries waiting for Redis and pauses
 * the shards' socket reads while too many wait, so a GUILD_CREATE burst waits in the kernel's and Discord's
 * buffers instead of this process's heap. Only while Redis answers: with Redis away, pausing would only
 * stall the shards until the watchdog or Discord closed them.
 */
export class CacheIntakeThrottle {
  readonly #options: CacheIntakeThrottleOptions;
  #intake: CacheIntake | undefined;
  #pending = 0;
  #pausedAt: number | undefined;
  #pauseTimer: NodeJS.Timeout | undefined;
  /** After a pause ran out: no new one until the backlog is down to half. */
  #suppressed = false;
  #pauses = 0;
  #pausedMs = 0;

  constructor(options: CacheIntakeThrottleOptions) {
    this.#options = options;
  }

  /** Set once the shards exist (they are built after the cache writer). */
  attach(intake: CacheIntake): void {
    this.#intake = intake;
  }

  /** Entries waiting to be written. */
  get pending(): number {
    return this.#pending;
  }

  /** Pauses so far and their total length, for metrics. */
  get stats(): { pauses: number; pausedMs: number } {
    const current = this.#pausedAt === undefined ? 0 : Date.now() - this.#pausedAt;
    return { pauses: this.#pauses, pausedMs: this.#pausedMs + current };
  }

  /** Entries accepted; `writable` is false while writes to Redis are failing. */
  added(entries: number, writable: boolean): void {
    this.#pending += entries;
    if (
      writable &&
      !this.#suppressed &&
      this.#pausedAt === undefined &&
      this.#pending >= this.#options.maxPendingEntries
    )
      this.#pause();
  }

  /** Entries written (or dropped). */
  removed(entries: number): void {
    this.#pending = Math.max(0, this.#pending - entries);
    if (this.#pending <= this.#options.maxPendingEntries / 2) {
      this.#suppressed = false;
      this.#resume();
    }
  }

  /** Writes are failing: the shards read on (the writer drops past its own bound instead). */
  writesFailing(): void {
    this.#resume();
  }

  close(): void {
    this.#resume();
  }

  #pause(): void {
    if (!this.#intake) return;
    this.#pausedAt = Date.now();
    this.#pauses += 1;
    this.#intake.pauseIntake();
    this.#pauseTimer = setTimeout(() => {
      this.#options.logger.warn(
        { pending: this.#pending, pausedMs: this.#options.maxPauseMs },
        'state cache still behind after the longest pause; shards read on',
      );
      this.#suppressed = true;
      this.#resume();
    }, this.#options.maxPauseMs);
  }

  #resume(): void {
    if (this.#pausedAt === undefined) return;
    clearTimeout(this.#pauseTimer);
    this.#pausedMs += Date.now() - this.#pausedAt;
    this.#pausedAt = undefined;
    this.#intake?.resumeIntake();
  }
}
