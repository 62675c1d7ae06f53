import type { Logger } from 'pino';

/**
 * The three phases of a clean stop, run in this order:
 * - `stopIntake`: take no new work (close the gateway's shards, pause queue consumers);
 * - `drain`: finish work in flight, bounded by the drain deadline;
 * - `close`: release connections, in registration order (producers before the Redis they write to).
 */
export type ShutdownPhase = 'stopIntake' | 'drain' | 'close';

export type ShutdownStep = (deadline: AbortSignal) => Promise<void> | void;

interface RegisteredStep {
  phase: ShutdownPhase;
  name: string;
  run: ShutdownStep;
}

export interface GracefulShutdownOptions {
  logger: Logger;
  /** How long `drain` steps may take in total before they are told to give up (their signal aborts). */
  drainDeadlineMs: number;
  /** Upper bound for each `stopIntake`/`close` step, so one hung connection cannot block exit. */
  stepTimeoutMs?: number;
  /** Replaced in tests; defaults to `process.exit`. */
  exit?: (code: number) => void;
}

const phases: readonly ShutdownPhase[] = ['stopIntake', 'drain', 'close'];

export class StepTimeoutError extends Error {
  override readonly name = 'StepTimeoutError';
}

/**
 * SIGINT/SIGTERM → stop intake → drain with a deadline → close in order → exit. Exits 0 when every step
 * finished (a drain cut short by its deadline still counts: what was not finished went back to its queue),
 * 1 when a step threw. A second signal while stopping is logged and ignored, so an impatient Ctrl-C cannot
 * turn a clean drain into lost work; the supervisor's SIGKILL remains the hard stop.
 */
export class GracefulShutdown {
  readonly #steps: RegisteredStep[] = [];
  readonly #options: GracefulShutdownOptions;
  #running: Promise<number> | undefined;

  constructor(options: GracefulShutdownOptions) {
    this.#options = options;
  }

  /** Registers a step; steps of a phase run one after another in registration order. */
  add(phase: ShutdownPhase, name: string, run: ShutdownStep): this {
    this.#steps.push({ phase, name, run });
    return this;
  }

  /** Installs the SIGINT and SIGTERM handlers. */
  listen(): this {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.#running) {
        this.#options.logger.warn({ signal }, 'already shutting down; signal ignored');
        return;
      }
      void this.shutdown(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return this;
  }

  get isShuttingDown(): boolean {
    return this.#running !== undefined;
  }

  /** Runs every step once; later calls return the same result. */
  shutdown(reason: string): Promise<number> {
    this.#running ??= this.#run(reason);
    return this.#running;
  }

  async #run(reason: string): Promise<number> {
    const { logger, drainDeadlineMs, stepTimeoutMs = 10_000 } = this.#options;
    const startedAt = Date.now();
    logger.info({ reason, drainDeadlineMs }, 'shutting down');
    let failed = false;
    for (const phase of phases) {
      const deadline = AbortSignal.timeout(phase === 'drain' ? drainDeadlineMs : stepTimeoutMs);
      for (const step of this.#steps.filter((candidate) => candidate.phase === phase)) {
        try {
          await runUntil(step, deadline, phase === 'drain' ? drainDeadlineMs + stepTimeoutMs : stepTimeoutMs);
          logger.debug({ phase, step: step.name }, 'shutdown step done');
        } catch (error) {
          failed = true;
          logger.error({ err: error, phase, step: step.name }, 'shutdown step failed');
        }
      }
    }
    const code = failed ? 1 : 0;
    logger.info({ durationMs: Date.now() - startedAt, exitCode: code }, 'shutdown complete');
    (this.#options.exit ?? defaultExit)(code);
    return code;
  }
}

/** Gives pino a moment to flush before the process ends. */
function defaultExit(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 50).unref();
}

async function runUntil(step: RegisteredStep, deadline: AbortSignal, hardLimitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hardLimit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StepTimeoutError(`${step.phase} step "${step.name}" did not finish within ${hardLimitMs} ms`),
        ),
      hardLimitMs,
    );
  });
  try {
    await Promise.race([Promise.resolve(step.run(deadline)), hardLimit]);
  } finally {
    clearTimeout(timer);
  }
}
