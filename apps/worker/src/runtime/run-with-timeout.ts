import { HandlerTimeoutError } from './job-errors.js';

/** What a handler gets to cancel its work: the signal is built only if the handler asks for it. */
export interface Cancellation {
  readonly signal: AbortSignal;
}

/**
 * Runs handlers with a timeout each, all cancelled when `parent` (the job's signal) aborts. It runs once per
 * event, so it is built to cost little when nothing goes wrong: one listener on the parent per job rather
 * than per event, and an `AbortController` only for handlers that read their signal (most never do).
 */
export class HandlerDeadlines {
  readonly #timeoutMs: number;
  readonly #parent: AbortSignal | undefined;
  readonly #running = new Set<(reason: unknown) => void>();

  constructor(timeoutMs: number, parent?: AbortSignal) {
    this.#timeoutMs = timeoutMs;
    this.#parent = parent;
    parent?.addEventListener(
      'abort',
      () => {
        for (const stop of this.#running) stop(parent.reason);
      },
      { once: true },
    );
  }

  /**
   * Runs `task`, and rejects as soon as its timeout passes or the parent aborts even if the task ignores
   * its signal — a hung handler must not hold a concurrency slot.
   */
  async run<T>(task: (cancellation: Cancellation) => Promise<T>): Promise<T> {
    // A cancelled job starts no handler.
    if (this.#parent?.aborted) throw this.#parent.reason;
    let controller: AbortController | undefined;
    let stopped: { reason: unknown } | undefined;
    let rejectStopped: (reason: unknown) => void = () => undefined;
    const whenStopped = new Promise<never>((_, reject) => {
      rejectStopped = reject;
    });
    const stop = (reason: unknown) => {
      if (stopped) return;
      stopped = { reason };
      controller?.abort(reason);
      rejectStopped(reason);
    };
    const cancellation: Cancellation = {
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (stopped) controller.abort(stopped.reason);
        }
        return controller.signal;
      },
    };
    const timeoutMs = this.#timeoutMs;
    const timer = setTimeout(
      () => stop(new HandlerTimeoutError(`handler did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    this.#running.add(stop);
    try {
      return await Promise.race([task(cancellation), whenStopped]);
    } finally {
      clearTimeout(timer);
      this.#running.delete(stop);
    }
  }
}

/** One task under its own deadline (see `HandlerDeadlines`). */
export function runWithTimeout<T>(
  timeoutMs: number,
  parent: AbortSignal | undefined,
  task: (cancellation: Cancellation) => Promise<T>,
): Promise<T> {
  return new HandlerDeadlines(timeoutMs, parent).run(task);
}
