import { HandlerTimeoutError } from './job-errors.js';

/** What a handler gets to cancel its work: the signal is built only if the handler asks for it. */
export interface Cancellation {
  readonly signal: AbortSignal;
}

/** One handler run: its deadline, how to reject it, and its signal once somebody reads it. */
class RunningTask implements Cancellation {
  readonly deadline: number;
  #controller: AbortController | undefined;
  #stopped: { reason: unknown } | undefined;
  #reject: ((reason: unknown) => void) | undefined;

  constructor(deadline: number) {
    this.deadline = deadline;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#stopped.reason);
    }
    return this.#controller.signal;
  }

  settleWith(reject: (reason: unknown) => void): void {
    this.#reject = reject;
  }

  stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = { reason };
    this.#controller?.abort(reason);
    this.#reject?.(reason);
  }
}

/**
 * Runs handlers with a timeout each, all cancelled when `parent` (the job's signal) aborts. It runs once per
 * event, so it is built to cost little when nothing goes wrong: one listener on the parent and one timer
 * per job rather than per event (every handler of a job has the same timeout, so the oldest running one
 * always has the nearest deadline), and an `AbortController` only for handlers that read their signal.
 */
export class HandlerDeadlines {
  readonly #timeoutMs: number;
  readonly #parent: AbortSignal | undefined;
  /** In start order, which is deadline order. */
  readonly #running = new Set<RunningTask>();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number, parent?: AbortSignal) {
    this.#timeoutMs = timeoutMs;
    this.#parent = parent;
    parent?.addEventListener(
      'abort',
      () => {
        for (const task of this.#running) task.stop(parent.reason);
        this.#running.clear();
        this.#disarm();
      },
      { once: true },
    );
  }

  /**
   * Runs `task`, and rejects as soon as its timeout passes or the parent aborts even if the task ignores
   * its signal — a hung handler must not hold a concurrency slot.
   */
  run<T>(task: (cancellation: Cancellation) => Promise<T>): Promise<T> {
    // A cancelled job starts no handler.
    if (this.#parent?.aborted) return Promise.reject(this.#parent.reason);
    const running = new RunningTask(performance.now() + this.#timeoutMs);
    this.#running.add(running);
    this.#timer ??= this.#armFor(running);
    return new Promise<T>((resolve, reject) => {
      running.settleWith(reject);
      const finish = () => {
        this.#running.delete(running);
        if (this.#running.size === 0) this.#disarm();
      };
      let result: Promise<T>;
      try {
        result = task(running);
      } catch (error) {
        finish();
        reject(error);
        return;
      }
      result.then(
        (value) => {
          finish();
          resolve(value);
        },
        (error: unknown) => {
          finish();
          reject(error);
        },
      );
    });
  }

  #armFor(oldest: RunningTask): NodeJS.Timeout {
    return setTimeout(() => this.#expire(), Math.max(0, oldest.deadline - performance.now()));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const task of this.#running) {
      if (task.deadline > now) {
        this.#timer = this.#armFor(task);
        return;
      }
      this.#running.delete(task);
      task.stop(new HandlerTimeoutError(`handler did not finish within ${this.#timeoutMs} ms`));
    }
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
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
