import {
  eventBatchJobName,
  type GatewayEventEnvelope,
  type GatewayEventJobData,
  type Logger,
} from '@dgc/shared';
import type { JobsOptions, Queue } from 'bullmq';
import type { HeldShardLeases } from '../cluster/held-shard-leases.js';

export interface BatchingPublisherOptions {
  /** A batch is written when it holds this many events... */
  maxEvents: number;
  /** ...or when its first event has waited this long (0 = at once, as far as `maxInFlight` allows). */
  maxWaitMs: number;
  /** Batches written concurrently; the rest wait in memory. */
  maxInFlight: number;
  /**
   * Events carried by one BullMQ job. 1 = a job per event (each with its replay-proof job id); more = the
   * queue's per-job cost is paid once per group, which is what makes the event path fast.
   */
  maxEventsPerJob?: number;
  /**
   * Whether this process may still write a shard's events (it holds the shard's lease). Checked when a
   * batch is written: a process resumed after a pause longer than its lease drops what it buffered for a
   * shard another process now runs, and that process's resume replays those events.
   */
  leases?: Pick<HeldShardLeases, 'holds'>;
  logger: Logger;
  jobOptions?: JobsOptions;
}

/** Told once an event is in Redis (the shard's published watermark, in the gateway). */
export interface WriteReceipt {
  confirm(): void;
}

/** A job as `add` and `addBulk` take it. */
interface JobToAdd {
  name: string;
  data: GatewayEventJobData;
  opts?: JobsOptions;
}

interface QueuedEvent {
  envelope: GatewayEventEnvelope;
  jobId: string | undefined;
  receipt: WriteReceipt | undefined;
}

const retryDelayMs = { initial: 100, max: 5_000 };

/**
 * Turns a stream of events into `add`/`addBulk` calls: one Redis round trip per batch instead of per event, with
 * at most a few milliseconds of added latency. `publish` never blocks the shard's socket handler; when
 * Redis fails, the batch goes back to the front of the buffer and writing pauses for a back-off, so a
 * Redis outage costs memory and latency, never events.
 */
export class BatchingPublisher {
  readonly #queue: Queue<GatewayEventJobData>;
  readonly #options: BatchingPublisherOptions;
  #buffer: QueuedEvent[] = [];
  #inFlight = 0;
  #inFlightEvents = 0;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #retryPending = false;
  #idleWaiters: (() => void)[] = [];
  #published = 0;
  /** Recent events per job written, weighted toward the latest batches. */
  #eventsPerJob = 1;

  constructor(queue: Queue<GatewayEventJobData>, options: BatchingPublisherOptions) {
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

  /** Average events per job written lately (1 when each event is its own job). */
  get eventsPerJob(): number {
    return this.#eventsPerJob;
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
   * Accepts an event; `receipt` is confirmed once it is in Redis. With a `jobId`, BullMQ ignores the event if a
   * job with that id is still in the queue, so an event replayed after a takeover is not enqueued twice.
   */
  publish(envelope: GatewayEventEnvelope, receipt?: WriteReceipt, jobId?: string): void {
    this.#buffer.push({ envelope, jobId, receipt });
    if (this.#buffer.length >= this.#options.maxEvents || this.#options.maxWaitMs <= 0) this.#flush();
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
      const batch = this.#withoutLostShards(this.#buffer.splice(0, this.#options.maxEvents));
      if (batch.length === 0) continue;
      this.#inFlight += 1;
      this.#inFlightEvents += batch.length;
      const jobs = this.#jobsOf(batch);
      this.#eventsPerJob = 0.8 * this.#eventsPerJob + 0.2 * (batch.length / jobs.length);
      this.#write(jobs).then(
        () => this.#onWritten(batch),
        (error: unknown) => this.#onFailed(batch, error),
      );
    }
  }

  /**
   * A lone job is added with one script call. `addBulk` sends its jobs on an ioredis pipeline, and ioredis
   * copies every script BullMQ defines onto each pipeline it builds: for the one job that every interaction
   * and most batches are, that cost more than the write itself, and its garbage reached the old generation.
   */
  #write(jobs: JobToAdd[]): Promise<unknown> {
    const [only] = jobs;
    if (jobs.length === 1 && only) return this.#queue.add(only.name, only.data, only.opts);
    return this.#queue.addBulk(jobs);
  }

  #withoutLostShards(batch: QueuedEvent[]): QueuedEvent[] {
    const leases = this.#options.leases;
    if (!leases) return batch;
    const owned = batch.filter((event) => leases.holds(event.envelope.shardId));
    if (owned.length < batch.length) {
      const shards = [...new Set(batch.map((event) => event.envelope.shardId))].filter(
        (id) => !leases.holds(id),
      );
      this.#options.logger.warn(
        { dropped: batch.length - owned.length, shards },
        'dropped events of shards whose lease this process lost; their next owner resumes and replays them',
      );
    }
    return owned;
  }

  /**
   * One job per event, or groups of events per job. A group gets no job id: its boundaries depend on
   * timing, so a replay after a crash forms different groups; workers' dedupe keys catch those events.
   */
  #jobsOf(batch: readonly QueuedEvent[]) {
    const perJob = this.#options.maxEventsPerJob ?? 1;
    const jobs: JobToAdd[] = [];
    for (let start = 0; start < batch.length; start += perJob) {
      const group = batch.slice(start, start + perJob);
      const [only] = group;
      if (group.length === 1 && only) {
        const opts = only.jobId
          ? { ...this.#options.jobOptions, jobId: only.jobId }
          : this.#options.jobOptions;
        jobs.push({ name: only.envelope.event, data: only.envelope, opts });
      } else {
        const events = group.map(({ envelope }) => envelope);
        jobs.push({ name: eventBatchJobName, data: { events }, opts: this.#options.jobOptions });
      }
    }
    return jobs;
  }

  #onWritten(batch: readonly QueuedEvent[]): void {
    this.#inFlight -= 1;
    this.#inFlightEvents -= batch.length;
    this.#published += batch.length;
    for (const event of batch) event.receipt?.confirm();
    this.#failures = 0;
    this.#afterBatch();
  }

  #onFailed(batch: QueuedEvent[], error: unknown): void {
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
