import type { Logger } from 'pino';
import { GracefulShutdown } from './graceful-shutdown.js';

/** What a started process exposes to its shutdown: the three phases of `GracefulShutdown`. */
export interface ServiceLifecycle {
  /** Take no new work. */
  stopIntake(): Promise<void>;
  /** Finish work in flight; give up when `deadline` aborts. */
  drain(deadline: AbortSignal): Promise<void>;
  /** Release connections. */
  close(): Promise<void>;
}

export interface RunServiceOptions {
  logger: Logger;
  drainDeadlineMs: number;
  /** Fail-fast checks of backing services, run concurrently before starting. */
  preflight: readonly (() => Promise<void>)[];
  /**
   * `stopping` aborts when a stop is asked for: a start that waits on something slow (shards queued for
   * their identify, or with no session starts left) returns at once then, so the stop does not wait for it.
   */
  start(stopping: AbortSignal): Promise<ServiceLifecycle>;
}

/**
 * The entry point every process shares: preflight checks, start, then a graceful shutdown on
 * SIGINT/SIGTERM. A failed start logs why and exits 1 instead of leaving a half-started process behind.
 */
export async function runService(options: RunServiceOptions): Promise<void> {
  const { logger } = options;
  // Signals are handled from the first moment: a SIGTERM during start-up (a rollout, Ctrl-C while shards
  // connect) waits for the start to finish and then stops cleanly, instead of killing a half-started process.
  // A stop before start-up began (during the preflight checks) has nothing to drain: the steps are no-ops.
  let starting: Promise<ServiceLifecycle> | undefined;
  const stopping = new AbortController();
  const shutdown = new GracefulShutdown({
    logger,
    drainDeadlineMs: options.drainDeadlineMs,
    stepTimeoutMs: 30_000,
  })
    .add('stopIntake', 'stop intake', async () => {
      stopping.abort();
      return (await starting)?.stopIntake();
    })
    .add('drain', 'drain work in flight', async (deadline) => (await starting)?.drain(deadline))
    .add('close', 'close connections', async () => (await starting)?.close())
    .listen();
  try {
    await Promise.all(options.preflight.map((check) => check()));
    if (shutdown.isShuttingDown) return;
    starting = options.start(stopping.signal);
    await starting;
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    // Errors that mean "fix the configuration" carry EX_CONFIG (78), like a bad variable does.
    const exitCode = (error as { exitCode?: unknown }).exitCode === 78 ? 78 : 1;
    process.exitCode = exitCode;
    setTimeout(() => process.exit(exitCode), 50).unref();
  }
}
