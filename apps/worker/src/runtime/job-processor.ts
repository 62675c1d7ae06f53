import type { EventHandler, HandlerContext } from '@dgc/bot-sdk';
import type { HandlerRegistry } from '@dgc/bot-sdk/runtime';
import {
  type GatewayEventEnvelope,
  type GatewayEventJobData,
  type InlineRetryPolicy,
  isEventBatch,
  type LaneName,
  type Logger,
  parseEventJob,
  type Redis,
} from '@dgc/shared';
import type { PrismaClient } from '@dgc/shared/db';
import type { REST } from '@discordjs/rest';
import { type Job, type JobsOptions, UnrecoverableError } from 'bullmq';
import type { GatewayDispatchEvents } from 'discord-api-types/v10';
import { dedupeKeyFor, type EventDedupe } from '../dedupe/event-dedupe.js';
import type { EventSlots } from './event-slots.js';
import { classifyHandlerError } from './job-errors.js';
import { retryInPlace, retryWithPolicy } from './retry-in-place.js';
import { type Cancellation, HandlerDeadlines } from './run-with-timeout.js';
import type { JobProcessorObserver } from './worker-metrics.js';

export type EventJob = Job<GatewayEventJobData>;
export type JobProcessor = (job: EventJob, token?: string, signal?: AbortSignal) => Promise<void>;

export interface JobProcessorDependencies {
  /** Claims events with a unique id before their handlers run; absent = handlers must be idempotent. */
  dedupe?: EventDedupe;
  registry: HandlerRegistry;
  rest: REST;
  prisma: PrismaClient;
  redis: Redis;
  logger: Logger;
  /** Each event's handlers get this long (one event, not a whole batch). */
  jobTimeoutMs: number;
  /** Metrics: lag, duration and outcome of every event. */
  observer?: JobProcessorObserver;
}

/** How one lane runs its jobs: what differs between ordered and unordered lanes. */
export interface LaneProcessing {
  lane: LaneName;
  ordered: boolean;
  /** Caps the events this process handles at once for the lane. */
  eventSlots: EventSlots;
  /** Ordered lanes retry a failed event in place, so the partition's next event cannot overtake it. */
  inlineRetry: InlineRetryPolicy;
  /** Options of a job that re-queues one event taken out of a batch (the lane's attempts and back-off). */
  requeueOptions: JobsOptions;
  /** Adds jobs to the queue a batch came from. */
  requeue(
    queueName: string,
    jobs: { name: string; data: GatewayEventJobData; opts: JobsOptions }[],
  ): Promise<void>;
}

interface EventOutcome {
  envelope: GatewayEventEnvelope;
  dedupeKey?: string;
  /** Undefined = handled (or nothing to do). */
  error?: Error;
  /** Another worker held the event's claim: try again later as a job of its own. */
  busy?: boolean;
}

/**
 * Turns queued gateway events into handler calls. A job holds one event or a batch; in a batch every event
 * runs, is claimed and settled on its own (one Redis round trip per batch for each), and an event that
 * fails is re-queued as a job of its own — retried with the lane's back-off, or parked in the failed set
 * with its cause when retrying cannot help — so the batch completes and no event runs twice because a
 * neighbour failed.
 */
export function createJobProcessor(dependencies: JobProcessorDependencies) {
  const { registry, rest, prisma, redis, logger, jobTimeoutMs, dedupe, observer } = dependencies;

  const services = { rest, prisma, redis };

  const runHandlers = async (
    lane: LaneName,
    envelope: GatewayEventEnvelope,
    eventLogger: LazyLogger,
    deadlines: HandlerDeadlines,
  ) => {
    if (!observer) return runHandlersOf(envelope, eventLogger, deadlines);
    observer.started(lane, envelope.receivedAt);
    const startedAt = performance.now();
    try {
      await runHandlersOf(envelope, eventLogger, deadlines);
      observer.finished(lane, envelope.event, performance.now() - startedAt, 'handled');
    } catch (error) {
      observer.finished(lane, envelope.event, performance.now() - startedAt, 'failed');
      throw error;
    }
  };

  const runHandlersOf = (
    envelope: GatewayEventEnvelope,
    eventLogger: LazyLogger,
    deadlines: HandlerDeadlines,
  ) =>
    deadlines.run((cancellation) =>
      invokeHandlers(
        registry.handlersFor(envelope.event),
        envelope,
        new EventHandlerContext(services, envelope, cancellation, eventLogger),
      ),
    );

  const hasHandlers = (envelope: GatewayEventEnvelope) => registry.handlersFor(envelope.event).length > 0;

  async function processSingle(
    job: EventJob,
    envelope: GatewayEventEnvelope,
    lane: LaneProcessing,
    workerSignal: AbortSignal | undefined,
  ): Promise<void> {
    if (!hasHandlers(envelope)) return;
    const jobLogger = new LazyLogger(logger, {
      jobId: job.id,
      event: envelope.event,
      shardId: envelope.shardId,
    });
    const dedupeKey = dedupe ? dedupeKeyFor(envelope) : undefined;
    const claim = dedupeKey && dedupe ? await dedupe.claim(dedupeKey) : undefined;
    if (claim && !claim.run) {
      jobLogger.get().debug({ dedupeKey }, 'event already handled; redelivery skipped');
      observer?.skipped(lane.lane, 1);
      return;
    }
    try {
      await runHandlers(lane.lane, envelope, jobLogger, new HandlerDeadlines(jobTimeoutMs, workerSignal));
    } catch (error) {
      if (claim?.run) await claim.settle('release');
      throw error;
    }
    if (claim?.run) await claim.settle('done');
  }

  async function processBatch(
    job: EventJob,
    envelopes: readonly GatewayEventEnvelope[],
    lane: LaneProcessing,
    workerSignal: AbortSignal | undefined,
  ): Promise<void> {
    const outcomes: EventOutcome[] = envelopes
      .filter(hasHandlers)
      .map((envelope) => ({ envelope, dedupeKey: dedupe ? dedupeKeyFor(envelope) : undefined }));
    if (outcomes.length === 0) return;
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
    if (skipped.size > 0) observer?.skipped(lane.lane, skipped.size);
    const jobLogger = new LazyLogger(logger, { jobId: job.id, events: envelopes.length });
    const deadlines = new HandlerDeadlines(jobTimeoutMs, workerSignal);
    const runOne = (outcome: EventOutcome): Promise<void> => {
      const eventLogger = new LazyLogger(jobLogger, {
        event: outcome.envelope.event,
        shardId: outcome.envelope.shardId,
      });
      const ran = lane.ordered
        ? retryWithPolicy(
            lane.inlineRetry,
            workerSignal,
            () => runHandlers(lane.lane, outcome.envelope, eventLogger, deadlines),
            (attempt, error) =>
              eventLogger.get().warn({ attempt, err: error }, 'ordered event failed; retrying in place'),
          )
        : runHandlers(lane.lane, outcome.envelope, eventLogger, deadlines);
      return ran.then(undefined, (error: unknown) => {
        outcome.error = classifyHandlerError(error);
      });
    };
    if (lane.ordered) {
      // One partition's events, in the gateway's order: each waits for the one before it.
      for (const outcome of toRun) await lane.eventSlots.run(() => runOne(outcome));
    } else {
      await Promise.all(toRun.map((outcome) => lane.eventSlots.run(() => runOne(outcome))));
    }

    const failed = toRun.filter((outcome) => outcome.error);
    const succeeded = toRun.filter((outcome) => !outcome.error);
    const keysOf = (list: EventOutcome[]) =>
      list.flatMap((outcome) => (outcome.dedupeKey ? [outcome.dedupeKey] : []));
    if (claim)
      await claim.finish(
        keysOf(failed),
        succeeded.some((outcome) => outcome.dedupeKey !== undefined),
      );
    const retry = outcomes.filter((outcome) => outcome.busy);
    const requeued = [...failed, ...retry].map((outcome) => requeueJobOf(outcome, lane));
    if (requeued.length > 0) {
      for (const outcome of failed) {
        jobLogger
          .get()
          .warn(
            { event: outcome.envelope.event, sequence: outcome.envelope.sequence, err: outcome.error },
            'event of a batch failed; re-queued on its own',
          );
      }
      await lane.requeue(job.queueName, requeued);
      const parked = requeued.filter((requeue) => 'rejection' in requeue.data).length;
      observer?.requeued(lane.lane, requeued.length - parked, parked);
    }
  }

  function requeueJobOf(outcome: EventOutcome, lane: LaneProcessing) {
    const { envelope, error } = outcome;
    if (error instanceof UnrecoverableError || (error && lane.ordered)) {
      // Retrying cannot help (or an ordered lane already retried in place): park it in the failed set.
      return {
        name: envelope.event,
        data: { envelope, rejection: { name: error.name, message: describe(error) } },
        opts: { ...lane.requeueOptions, attempts: 1 },
      };
    }
    const backoff = lane.requeueOptions.backoff;
    const delay = typeof backoff === 'object' ? (backoff.delay ?? 1_000) : (backoff ?? 1_000);
    return { name: envelope.event, data: envelope, opts: { ...lane.requeueOptions, delay } };
  }

  return (lane: LaneProcessing): JobProcessor => {
    const run = async (job: EventJob, _token?: string, signal?: AbortSignal) => {
      try {
        const parsed = parseEventJob(job.data);
        if (parsed.kind === 'rejected') {
          const error = new UnrecoverableError(
            `event failed in a batch: ${parsed.rejection.name}: ${parsed.rejection.message}`,
          );
          throw error;
        }
        if (parsed.kind === 'batch') await processBatch(job, parsed.envelopes, lane, signal);
        else await processSingle(job, parsed.envelope, lane, signal);
      } catch (error) {
        throw classifyHandlerError(error);
      }
    };
    // A single event of an ordered lane retries in place, holding its partition.
    const runSingle = lane.ordered
      ? retryInPlace(lane.inlineRetry, run, (job, attempt, error) =>
          logger.warn(
            { jobId: job.id, event: job.name, attempt, err: error },
            'ordered job failed; retrying in place',
          ),
        )
      : run;
    // A batch takes a slot per event inside; taking one for the batch too would let batches hold every
    // slot while their events wait for one.
    return (job, token, signal) =>
      isEventBatch(job.data)
        ? run(job, token, signal)
        : lane.eventSlots.run(() => runSingle(job, token, signal));
  };
}

type Bindings = Parameters<Logger['child']>[0];

/**
 * A job's or an event's logger, made on first use: most handlers never log, and pino's `child` runs its
 * redaction over the bindings. Made for every job, it was the largest allocation of an interactions worker.
 */
class LazyLogger {
  readonly #parent: Logger | LazyLogger;
  readonly #bindings: Bindings;
  #logger: Logger | undefined;

  constructor(parent: Logger | LazyLogger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  get(): Logger {
    this.#logger ??= (this.#parent instanceof LazyLogger ? this.#parent.get() : this.#parent).child(
      this.#bindings,
    );
    return this.#logger;
  }
}

/**
 * What a handler receives. A class rather than an object literal with getters, which would build two
 * getter closures per event; the signal and the logger are made only when a handler reads them.
 */
class EventHandlerContext implements HandlerContext {
  readonly rest: REST;
  readonly prisma: PrismaClient;
  readonly redis: Redis;
  readonly envelope: GatewayEventEnvelope;
  readonly #cancellation: Cancellation;
  readonly #logger: LazyLogger;

  constructor(
    services: { rest: REST; prisma: PrismaClient; redis: Redis },
    envelope: GatewayEventEnvelope,
    cancellation: Cancellation,
    logger: LazyLogger,
  ) {
    this.rest = services.rest;
    this.prisma = services.prisma;
    this.redis = services.redis;
    this.envelope = envelope;
    this.#cancellation = cancellation;
    this.#logger = logger;
  }

  get signal(): AbortSignal {
    return this.#cancellation.signal;
  }

  get logger(): Logger {
    return this.#logger.get();
  }
}

/** Not `async`: the common case (one handler) returns the handler's own promise, adding none per event. */
function invokeHandlers(
  handlers: readonly EventHandler<GatewayDispatchEvents>[],
  envelope: GatewayEventEnvelope,
  context: HandlerContext,
): Promise<void> {
  const [only] = handlers;
  if (handlers.length === 1 && only) return only(envelope.payload, context);
  return invokeAll(handlers, envelope, context);
}

/** Handlers of one event are independent: they run together, and every failure is reported. */
async function invokeAll(
  handlers: readonly EventHandler<GatewayDispatchEvents>[],
  envelope: GatewayEventEnvelope,
  context: HandlerContext,
): Promise<void> {
  const results = await Promise.allSettled(handlers.map((handler) => handler(envelope.payload, context)));
  const failures = results.filter((result) => result.status === 'rejected');
  if (failures.length === 1) throw failures[0]?.reason;
  if (failures.length > 1) {
    throw new AggregateError(
      failures.map((failure) => failure.reason),
      `${failures.length} handlers failed`,
    );
  }
}

function describe(error: Error): string {
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
