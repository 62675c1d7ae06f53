import type { EventHandler, HandlerContext } from '@dgc/bot-sdk';
import type { HandlerRegistry } from '@dgc/bot-sdk/runtime';
import type { GatewayEventEnvelope, LaneName } from '@dgc/shared';
import type { GatewayDispatchEvents } from 'discord-api-types/v10';
import { EventHandlerContext, type HandlerServices } from './event-handler-context.js';
import type { LazyLogger } from './lazy-logger.js';
import { checkPayloadShape } from './payload-shapes.js';
import { HandlerDeadlines } from './run-with-timeout.js';
import type { JobProcessorObserver } from './worker-metrics.js';

export interface HandlerInvokerOptions {
  /** The bot's handlers, looked up by event name. */
  registry: HandlerRegistry;
  services: HandlerServices;
  /** Each event's handlers get this long (one event, not a whole batch). */
  jobTimeoutMs: number;
  /** Metrics: lag, duration and outcome of every event. */
  observer?: JobProcessorObserver;
}

/**
 * The last stage before the bot's code: calls an event's handlers from the registry with their context
 * (clients, logger, the cancellation signal of the event's deadline) and reports each event's lag,
 * duration and outcome. Errors reach the caller as the handlers threw them; the batch processor classifies
 * them (see `classifyHandlerError`) where it decides between retrying and parking.
 */
export class HandlerInvoker {
  readonly #registry: HandlerRegistry;
  readonly #services: HandlerServices;
  readonly #jobTimeoutMs: number;
  readonly #observer: JobProcessorObserver | undefined;

  constructor(options: HandlerInvokerOptions) {
    this.#registry = options.registry;
    this.#services = options.services;
    this.#jobTimeoutMs = options.jobTimeoutMs;
    this.#observer = options.observer;
  }

  /** An event nobody handles is neither claimed nor run. */
  hasHandlers(envelope: GatewayEventEnvelope): boolean {
    return this.#registry.handlersFor(envelope.event).length > 0;
  }

  /**
   * The deadlines of one job's handlers, cancelled together when `jobSignal` (the worker stopping) aborts.
   * One per job, not per event: it keeps one timer for all of them.
   */
  deadlinesFor(jobSignal: AbortSignal | undefined): HandlerDeadlines {
    return new HandlerDeadlines(this.#jobTimeoutMs, jobSignal);
  }

  /** Runs the event's handlers under `deadlines`; rejects with the handler's error or a timeout. */
  invoke(
    lane: LaneName,
    envelope: GatewayEventEnvelope,
    eventLogger: LazyLogger,
    deadlines: HandlerDeadlines,
  ): Promise<void> {
    const observer = this.#observer;
    if (!observer) return this.#invokeUnobserved(envelope, eventLogger, deadlines);
    return this.#invokeObserved(observer, lane, envelope, eventLogger, deadlines);
  }

  async #invokeObserved(
    observer: JobProcessorObserver,
    lane: LaneName,
    envelope: GatewayEventEnvelope,
    eventLogger: LazyLogger,
    deadlines: HandlerDeadlines,
  ): Promise<void> {
    observer.started(lane, envelope.receivedAt);
    const startedAt = performance.now();
    try {
      await this.#invokeUnobserved(envelope, eventLogger, deadlines);
      observer.finished(lane, envelope.event, performance.now() - startedAt, 'handled');
    } catch (error) {
      observer.finished(lane, envelope.event, performance.now() - startedAt, 'failed');
      throw error;
    }
  }

  #invokeUnobserved(
    envelope: GatewayEventEnvelope,
    eventLogger: LazyLogger,
    deadlines: HandlerDeadlines,
  ): Promise<void> {
    // Before the bot's code: a payload missing what handlers rely on is parked, not retried into a TypeError.
    try {
      checkPayloadShape(envelope);
    } catch (error) {
      return Promise.reject(error);
    }
    return deadlines.run((cancellation) =>
      invokeHandlers(
        this.#registry.handlersFor(envelope.event),
        envelope,
        new EventHandlerContext(this.#services, envelope, cancellation, eventLogger),
      ),
    );
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
