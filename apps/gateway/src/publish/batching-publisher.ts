import type { GatewayEventEnvelope, Logger } from '@dgc/shared';
import type { JobsOptions, Queue } from 'bullmq';

export interface BatchingPublisherOptions {
  /** A batch is written when it holds this many events... */
  maxEvents: number;
  /** ...or when its first event has waited this long. */
  maxWaitMs: number;
  /** Batches written concurrently; the rest wait in memory. */
  maxInFlight: number;
  logger: Logger;
  jobOptions?: JobsOptions;
}

interface QueuedJob {
  name: string;
  data: GatewayEventEnvelope;
  opts?: JobsOptions;
  /** Called once the event is in Redis. */
  onWritten?: () => void;
}

const retryDelayMs = { initial: 100, max: 5_000 };

/**
 * Turns a stream of events into `addBulk` calls: one Redis round trip per batch instead of per event, with
 * at most a few milliseconds of added latency. `publish` never blocks the shard's socket handler; when
 * Redis fails, the batch goes back to the front of the buffer and writing pauses for a back-off, so a
 * Redis outage costs memory and latency, never events.
 */
export class BatchingPublisher {
  readonly #queue: Queue<GatewayEventEnvelope>;
  readonly #options: BatchingPublisherOptions;
  #buffer: QueuedJob[] = [];
  #inFlight = 0;
  #inFlightEvents = 0;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #retryPending = false;
  #idleWaiters: (() => void)[] = [];
  #published = 0;

  constructor(queue: Queue<GatewayEventEnvelope>, options: BatchingPublisherOptions) {
    this.#queue = queue;
    this.#options = options;
  }

  /** Events accepted but not yet written to Redis. */
  get bufferedCount(): number {
    return this.#buffer.length;
  }

  /** Events accepted but not yet confirmed in Redis: buffered plus those in batches being written. */
  get pendingCount(): number {
    return this.#buffer.length + this.#inFlightEvents;
  }

  /** Events written to Redis since start. */
  get publishedCount(): number {
    return this.#published;
  }

  /** For the task monitor: writing, waiting out a Redis failure, or idle. */
  status(): { state: 'running' | 'waiting' | 'idle'; detail: string } {
    const state = this.#retryPending ? 'waiting' : this.#inFlight > 0 ? 'running' : 'idle';
    return {
      state,
      detail: `buffered ${this.#buffer.length}, writing ${this.#inFlightEvents}, published ${this.#published}`,
    };
  }

  /**
   * Accepts an event; `onWritten` runs once it is in Redis. With a `jobId`, BullMQ ignores the event if a
   * job with that id is still in the queue, so an event replayed after a takeover is not enqueued twice.
   */
  publish(envelope: GatewayEventEnvelope, onWritten?: () => void, jobId?: string): void {
    const opts = jobId ? { ...this.#options.jobOptions, jobId } : this.#options.jobOptions;
    this.#buffer.push({ name: envelope.event, data: envelope, opts, onWritten });
    if (this.#buffer.length >= this.#options.maxEvents) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.maxWaitMs);
  }

  /** Resolves once every accepted event is in Redis, or rejects when `deadline` aborts first. */
  async drain(deadline: AbortSignal): Promise<void> {
    this.#flush();
    if (this.#isIdle()) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () =>
        reject(
          new Error(`${this.#buffer.length + this.#inFlight} events not written before the drain deadline`),
        );
      deadline.addEventListener('abort', onAbort, { once: true });
      this.#idleWaiters.push(() => {
        deadline.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  #isIdle(): boolean {
    return this.#buffer.length === 0 && this.#inFlight === 0;
  }

  #flush(): void {
    if (this.#retryPending) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#buffer.length > 0 && this.#inFlight < this.#options.maxInFlight) {
      const batch = this.#buffer.splice(0, this.#options.maxEvents);
      this.#inFlight += 1;
      this.#inFlightEvents += batch.length;
      // addBulk takes name, data and options only; the callbacks stay here.
      this.#queue.addBulk(batch.map(({ name, data, opts }) => ({ name, data, opts }))).then(
        () => this.#onWritten(batch),
        (error: unknown) => this.#onFailed(batch, error),
      );
    }
  }

  #onWritten(batch: readonly QueuedJob[]): void {
    this.#inFlight -= 1;
    this.#inFlightEvents -= batch.length;
    this.#published += batch.length;
    for (const job of batch) job.onWritten?.();
    this.#failures = 0;
    this.#afterBatch();
  }

  #onFailed(batch: QueuedJob[], error: unknown): void {
    this.#inFlight -= 1;
    this.#inFlightEvents -= batch.length;
    this.#failures += 1;
    this.#buffer = batch.concat(this.#buffer);
    const delay = Math.min(retryDelayMs.initial * 2 ** (this.#failures - 1), retryDelayMs.max);
    this.#options.logger.error(
      { err: error, events: batch.length, buffered: this.#buffer.length, retryInMs: delay },
      'writing a batch of events to Redis failed; will retry',
    );
    if (this.#retryPending) return;
    this.#retryPending = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#retryPending = false;
      this.#timer = undefined;
      this.#flush();
    }, delay);
  }

  #afterBatch(): void {
    if (this.#retryPending) return;
    if (this.#buffer.length >= this.#options.maxEvents) this.#flush();
    else if (this.#buffer.length > 0)
      this.#timer ??= setTimeout(() => this.#flush(), this.#options.maxWaitMs);
    if (this.#isIdle()) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
