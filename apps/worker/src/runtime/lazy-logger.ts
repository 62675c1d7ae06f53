import type { Logger } from '@dgc/shared';

type Bindings = Parameters<Logger['child']>[0];

/**
 * A job's or an event's logger, made on first use: most handlers never log, and pino's `child` runs its
 * redaction over the bindings. Made for every job, it was the largest allocation of an interactions worker.
 */
export class LazyLogger {
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
