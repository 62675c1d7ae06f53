import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from 'pino';

export interface EventLoopLagSample {
  /** Milliseconds, over the last sampling window. */
  p50: number;
  p99: number;
  max: number;
}

/**
 * Measures event-loop delay continuously (Node's histogram, sampled every 20 ms) and logs a warning when
 * a window's worst delay passes the threshold: the sign of a callback that blocked the loop (a long CPU
 * loop, a huge JSON.parse) and delayed every heartbeat and job in the process.
 */
export class EventLoopMonitor {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  readonly #logger: Logger;
  readonly #warnAboveMs: number;
  #timer: NodeJS.Timeout | undefined;
  #last: EventLoopLagSample = { p50: 0, p99: 0, max: 0 };

  constructor(options: { logger: Logger; warnAboveMs: number }) {
    this.#logger = options.logger;
    this.#warnAboveMs = options.warnAboveMs;
  }

  start(windowMs = 5_000): this {
    this.#histogram.enable();
    this.#timer = setInterval(() => this.sample(), windowMs);
    this.#timer.unref();
    return this;
  }

  /** Closes the current window: returns its figures and warns when they pass the threshold. */
  sample(): EventLoopLagSample {
    const toMs = (nanoseconds: number) => Math.round(nanoseconds / 1e4) / 100;
    this.#last = {
      p50: toMs(this.#histogram.percentile(50)),
      p99: toMs(this.#histogram.percentile(99)),
      max: toMs(this.#histogram.max),
    };
    this.#histogram.reset();
    if (this.#last.max > this.#warnAboveMs) {
      this.#logger.warn(
        { eventLoopLagMs: this.#last, thresholdMs: this.#warnAboveMs },
        'event loop was blocked',
      );
    }
    return this.#last;
  }

  /** The last window's figures (for metrics and health endpoints). */
  get lastSample(): EventLoopLagSample {
    return this.#last;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}
