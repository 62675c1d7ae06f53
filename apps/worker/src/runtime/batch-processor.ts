import {
  type GatewayEventEnvelope,
  type GatewayEventJobData,
  type InlineRetryPolicy,
  isEventBatch,
  type LaneName,
  type Logger,
  parseEventJob,
} from '@dgc/shared';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { dedupeKeyFor, type EventDedupe } from '../dedupe/event-dedupe.js';
import type { DependencyBreaker } from './dependency-breaker.js';
import type { EventSlots } from './event-slots.js';
import type { FailedEventRequeuer } from './failed-event-requeuer.js';
import type { HandlerInvoker } from './handler-invoker.js';
import { classifyHandlerError } from './job-errors.js';
import { LazyLogger } from './lazy-logger.js';
import { type InPlaceOutage, retryInPlace, retryWithPolicy } from './retry-in-place.js';
import type { HandlerDeadlines } from './run-with-timeout.js';
import type { JobProcessorObserver } from './worker-metrics.js';

export type EventJob = Job<GatewayEventJobData>;

export interface BatchProcessorOptions {
  lane: LaneName;
  ordered: boolean;
  /** Caps the events this process handles at once for the lane. */
  eventSlots: EventSlots;
  /** Ordered lanes retry a failed event in place, so the partition's next event cannot overtake it. */
  inlineRetry: InlineRetryPolicy;
  /** Runs an event's handlers (the next stage). */
  invoker: HandlerInvoker;
  /** Gives a failed event of a batch a job of its own. */
  requeuer: FailedEventRequeuer;
  /** Claims events with a unique id before their handlers run; absent = handlers must be idempotent. */
  dedupe?: EventDedupe;
  /**
   * Told when a handler fails because a dependency every job needs is down (PostgreSQL): such jobs are
   * deferred without counting an attempt while the breaker holds the lane's intake.
   */
  breaker?: DependencyBreaker;
  logger: Logger;
  observer?: JobProcessorObserver;
}

/** One event of a batch on its way through: its claim key, then how its run ended. */
interface EventOutcome {
  envelope: GatewayEventEnvelope;
  dedupeKey?: string;
  /** Undefined = handled (or nothing to do). */
  error?: Error;
  /** Another worker held the event's claim: try again later as a job of its own. */
  busy?: boolean;
}

/**
 * Runs one lane's jobs. A job holds one event or a batch; in a batch every event runs, is claimed and
 * settled on its own (one Redis round trip per batch for each), and an event that fails is re-queued as a
 * job of its own (see `FailedEventRequeuer`), so the batch completes and no event runs twice because a
 * neighbour failed. On an ordered lane a partition's events run one after another, each retried in place.
 */
export class BatchProcessor {
  readonly #lane: LaneName;
  readonly #ordered: boolean;
  readonly #eventSlots: EventSlots;
  readonly #inlineRetry: InlineRetryPolicy;
  readonly #invoker: HandlerInvoker;
  readonly #requeuer: FailedEventRequeuer;
  readonly #dedupe: EventDedupe | undefined;
  readonly #breaker: DependencyBreaker | undefined;
  /** Ordered lanes wait an outage out in place (a deferred job would let the partition's next overtake). */
  readonly #inPlaceOutage: InPlaceOutage | undefined;
  readonly #logger: Logger;
  readonly #observer: JobProcessorObserver | undefined;
  /** A job of one event; on an ordered lane it retries in place, holding its partition. */
  readonly #processSingleJob: (job: EventJob, token?: string, signal?: AbortSignal) => Promise<void>;

  constructor(options: BatchProcessorOptions) {
    this.#lane = options.lane;
    this.#ordered = options.ordered;
    this.#eventSlots = options.eventSlots;
    this.#inlineRetry = options.inlineRetry;
    this.#invoker = options.invoker;
    this.#requeuer = options.requeuer;
    this.#dedupe = options.dedupe;
    this.#breaker = options.breaker;
    this.#inPlaceOutage = options.breaker ? { lane: options.lane, breaker: options.breaker } : undefined;
    this.#logger = options.logger;
    this.#observer = options.observer;
    const processJob = (job: EventJob, _token?: string, signal?: AbortSignal) =>
      this.#processJob(job, signal);
    this.#processSingleJob = options.ordered
      ? retryInPlace(
          options.inlineRetry,
          processJob,
          (job, attempt, error) =>
            this.#logger.warn(
              { jobId: job.id, event: job.name, attempt, err: error },
              'ordered job failed; retrying in place',
            ),
          this.#inPlaceOutage,
        )
      : processJob;
  }

  /** The BullMQ processor of the lane's workers. */
  process(job: EventJob, token?: string, signal?: AbortSignal): Promise<void> {
    // A batch takes a slot per event inside; taking one for the batch too would let batches hold every
    // slot while their events wait for one.
    if (isEventBatch(job.data)) return this.#processJob(job, signal);
    const ran = this.#eventSlots.run(() => this.#processSingleJob(job, token, signal));
    // Only a failure pays for the outage check: a job that succeeds gets no extra promise.
    return this.#breaker && !this.#ordered && token
      ? ran.catch((error: unknown) => this.#deferIfOutage(job, token, error))
      : ran;
  }

  /**
   * A job whose handler met a dependency outage goes back to the delayed set without counting an attempt
   * (`moveToDelayed` skips it; `DelayedError` tells BullMQ the job was moved, not failed), and the breaker
   * pauses the lane until the dependency answers. Any other failure is rethrown for BullMQ's retries.
   */
  async #deferIfOutage(job: EventJob, token: string, error: unknown): Promise<never> {
    const breaker = this.#breaker;
    if (!breaker?.isOutage(error)) throw error;
    breaker.trip(this.#lane, error);
    await job.moveToDelayed(Date.now() + breaker.deferMs, token);
    throw new DelayedError();
  }

  async #processJob(job: EventJob, signal: AbortSignal | undefined): Promise<void> {
    try {
      const parsed = parseEventJob(job.data);
      if (parsed.kind === 'rejected') {
        throw new UnrecoverableError(
          `event failed in a batch: ${parsed.rejection.name}: ${parsed.rejection.message}`,
        );
      }
      if (parsed.kind === 'batch') await this.#processBatch(job, parsed.envelopes, signal);
      else await this.#processSingle(job, parsed.envelope, signal);
    } catch (error) {
      throw classifyHandlerError(error);
    }
  }

  async #processSingle(
    job: EventJob,
    envelope: GatewayEventEnvelope,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (!this.#invoker.hasHandlers(envelope)) return;
    const jobLogger = new LazyLogger(this.#logger, {
      jobId: job.id,
      event: envelope.event,
      shardId: envelope.shardId,
    });
    const dedupe = this.#dedupe;
    const dedupeKey = dedupe ? dedupeKeyFor(envelope) : undefined;
    const claim = dedupeKey && dedupe ? await dedupe.claim(dedupeKey) : undefined;
    if (claim && !claim.run) {
      jobLogger.get().debug({ dedupeKey }, 'event already handled; redelivery skipped');
      this.#observer?.skipped(this.#lane, 1);
      return;
    }
    try {
      await this.#invoker.invoke(this.#lane, envelope, jobLogger, this.#invoker.deadlinesFor(signal));
    } catch (error) {
      if (claim?.run) await claim.settle('release');
      throw error;
    }
    if (claim?.run) await claim.settle('done');
  }

  async #processBatch(
    job: EventJob,
    envelopes: readonly GatewayEventEnvelope[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const dedupe = this.#dedupe;
    const outcomes: EventOutcome[] = [];
    for (const envelope of envelopes) {
      if (this.#invoker.hasHandlers(envelope))
        outcomes.push({ envelope, dedupeKey: dedupe ? dedupeKeyFor(envelope) : undefined });
    }
    if (outcomes.length === 0) return;

    // Claim: one round trip for the whole batch.
    const claimed = outcomes.filter((outcome) => outcome.dedupeKey !== undefined);
    const claim = dedupe
      ? await dedupe.claimMany(claimed.map((outcome) => outcome.dedupeKey as string))
      : undefined;
    const skipped = new Set<EventOutcome>();
    claimed.forEach((outcome, index) => {
      const state = claim?.states[index];
      if (state === 'done') skipped.add(outcome);
      if (state === 'busy') {
        skipped.add(outcome);
        outcome.busy = true;
      }
    });
    const toRun = outcomes.filter((outcome) => !skipped.has(outcome));
    if (skipped.size > 0) this.#observer?.skipped(this.#lane, skipped.size);

    // Run: under the lane's slots, in the gateway's order on an ordered lane.
    const jobLogger = new LazyLogger(this.#logger, { jobId: job.id, events: envelopes.length });
    const deadlines = this.#invoker.deadlinesFor(signal);
    if (this.#ordered) {
      // One partition's events, in the gateway's order: each waits for the one before it.
      for (const outcome of toRun)
        await this.#eventSlots.run(() => this.#runEvent(outcome, jobLogger, deadlines, signal));
    } else {
      await Promise.all(
        toRun.map((outcome) =>
          this.#eventSlots.run(() => this.#runEvent(outcome, jobLogger, deadlines, signal)),
        ),
      );
    }

    // Settle: one round trip releases the failed events and marks the others handled.
    const failed = toRun.filter((outcome) => outcome.error);
    if (claim) {
      await claim.finish(
        failed.flatMap((outcome) => (outcome.dedupeKey ? [outcome.dedupeKey] : [])),
        toRun.some((outcome) => !outcome.error && outcome.dedupeKey !== undefined),
      );
    }

    // Re-queue: failed events, and those another worker held, each as a job of its own. An event that met
    // a dependency outage also trips the breaker; its new job starts with its attempts untouched.
    const retry = outcomes.filter((outcome) => outcome.busy);
    if (failed.length + retry.length === 0) return;
    for (const outcome of failed) {
      if (this.#breaker?.isOutage(outcome.error)) this.#breaker.trip(this.#lane, outcome.error);
      jobLogger
        .get()
        .warn(
          { event: outcome.envelope.event, sequence: outcome.envelope.sequence, err: outcome.error },
          'event of a batch failed; re-queued on its own',
        );
    }
    const { retried, parked } = await this.#requeuer.requeue(job.queueName, [...failed, ...retry]);
    this.#observer?.requeued(this.#lane, retried, parked);
  }

  /** Runs one event of a batch; never rejects: a failure is kept, classified, on its outcome. */
  #runEvent(
    outcome: EventOutcome,
    jobLogger: LazyLogger,
    deadlines: HandlerDeadlines,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const eventLogger = new LazyLogger(jobLogger, {
      event: outcome.envelope.event,
      shardId: outcome.envelope.shardId,
    });
    const ran = this.#ordered
      ? retryWithPolicy(
          this.#inlineRetry,
          signal,
          () => this.#invoker.invoke(this.#lane, outcome.envelope, eventLogger, deadlines),
          (attempt, error) =>
            eventLogger.get().warn({ attempt, err: error }, 'ordered event failed; retrying in place'),
          this.#inPlaceOutage,
        )
      : this.#invoker.invoke(this.#lane, outcome.envelope, eventLogger, deadlines);
    return ran.then(undefined, (error: unknown) => {
      outcome.error = classifyHandlerError(error);
    });
  }
}
