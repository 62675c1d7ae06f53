import type { DelayedJobs, HandlerContext, StateCache } from '@dgc/bot-sdk';
import type { GatewayEventEnvelope, Logger, Redis } from '@dgc/shared';
import type { REST } from '@discordjs/rest';
import type { LazyLogger } from './lazy-logger.js';
import type { Cancellation } from './run-with-timeout.js';

/** The process's clients every handler shares. */
export interface HandlerServices {
  rest: REST;
  redis: Redis;
  jobs: DelayedJobs;
  cache: StateCache;
}

/**
 * What a handler receives. A class rather than an object literal with getters, which would build two
 * getter closures per event; the signal and the logger are made only when a handler reads them.
 */
export class EventHandlerContext implements HandlerContext {
  readonly rest: REST;
  readonly redis: Redis;
  readonly jobs: DelayedJobs;
  readonly cache: StateCache;
  readonly envelope: GatewayEventEnvelope;
  readonly #cancellation: Cancellation;
  readonly #logger: LazyLogger;

  constructor(
    services: HandlerServices,
    envelope: GatewayEventEnvelope,
    cancellation: Cancellation,
    logger: LazyLogger,
  ) {
    this.rest = services.rest;
    this.redis = services.redis;
    this.jobs = services.jobs;
    this.cache = services.cache;
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
