import { setTimeout as sleep } from 'node:timers/promises';
import type { LaneName, Logger } from '@dgc/shared';

/** A dependency the handlers need (PostgreSQL), as the breaker sees it. */
export interface DependencyProbe {
  /** Names the dependency in `/readyz`, logs and metrics. */
  readonly dependency: string;
  /** Whether a handler's error means the dependency is unreachable (not that the handler's request was bad). */
  isOutage(error: unknown): boolean;
  /** Resolves when the dependency answers; rejects, within its own timeout, when it does not. */
  check(): Promise<void>;
}

/** What the breaker stops and restarts: a lane's BullMQ workers fit it. */
export interface PausableIntake {
  /** `true`: stop fetching at once; the jobs already running finish (or are deferred) on their own. */
  pause(doNotWaitActive: true): Promise<void>;
  resume(): Promise<void> | void;
}

export interface ProbeBackoff {
  /** Wait before the first probe after the breaker opens. */
  firstMs: number;
  /** The wait doubles after each failed probe up to this. */
  maxMs: number;
}

/**
 * First probe soon (a restart of PostgreSQL takes about a second); then no more than one probe every five
 * seconds per process, however long the outage.
 */
export const defaultProbeBackoff: ProbeBackoff = { firstMs: 250, maxMs: 5_000 };

/** The wait before the probe after one that failed. */
export function nextProbeDelay(previousMs: number, backoff: ProbeBackoff): number {
  return Math.min(backoff.maxMs, Math.max(backoff.firstMs, previousMs * 2));
}

export interface DependencyBreakerOptions {
  probe: DependencyProbe;
  logger: Logger;
  backoff?: ProbeBackoff;
}

/**
 * Stops a worker from burning its jobs' attempts while a dependency every job needs is down. The batch
 * processor reports a handler that failed because the dependency is unreachable (`trip`); the breaker then
 * opens: it pauses the intake of that lane (and of each lane that meets the outage later), `/readyz` answers
 * 503 naming the dependency, and it probes the dependency with back-off. When a probe answers it closes and
 * resumes the lanes it paused. The jobs that met the outage are deferred by the batch processor without
 * counting an attempt, so they wait in the queue, not in the failed set. Lanes whose handlers never touch
 * the dependency (a /ping) never trip it and keep running.
 */
export class DependencyBreaker {
  readonly #probe: DependencyProbe;
  readonly #logger: Logger;
  readonly #backoff: ProbeBackoff;
  readonly #intakes = new Map<LaneName, readonly PausableIntake[]>();
  readonly #pausedLanes = new Set<LaneName>();
  #closedWaiters: (() => void)[] = [];
  #openedAt: number | undefined;
  /** Cancels the probe loop's wait when the process stops. */
  readonly #stopping = new AbortController();

  constructor(options: DependencyBreakerOptions) {
    this.#probe = options.probe;
    this.#logger = options.logger;
    this.#backoff = options.backoff ?? defaultProbeBackoff;
  }

  get dependency(): string {
    return this.#probe.dependency;
  }

  get isOpen(): boolean {
    return this.#openedAt !== undefined;
  }

  /** Lanes whose intake the breaker holds paused now. */
  get pausedLanes(): readonly LaneName[] {
    return [...this.#pausedLanes];
  }

  /**
   * How long a job deferred by the outage waits in the delayed set before it is offered again. Short: the
   * paused intake is what keeps it waiting, and when the breaker closes it should run at once.
   */
  get deferMs(): number {
    return this.#backoff.firstMs;
  }

  /** A lane's intake, paused while the breaker is open once the lane's handlers met the outage. */
  guard(lane: LaneName, intakes: readonly PausableIntake[]): void {
    this.#intakes.set(lane, intakes);
  }

  isOutage(error: unknown): boolean {
    return this.#probe.isOutage(error);
  }

  /** A handler of `lane` failed because the dependency is unreachable: open, and pause the lane's intake. */
  trip(lane: LaneName, error: unknown): void {
    if (this.#stopping.signal.aborted) return;
    if (this.#openedAt === undefined) {
      this.#openedAt = Date.now();
      this.#logger.warn(
        { dependency: this.dependency, lane, err: error },
        'dependency unreachable; pausing intake until it answers',
      );
      void this.#probeUntilUp();
    }
    if (!this.#pausedLanes.has(lane)) {
      this.#pausedLanes.add(lane);
      for (const intake of this.#intakes.get(lane) ?? []) {
        intake
          .pause(true)
          .catch((pauseError: unknown) =>
            this.#logger.error({ lane, err: pauseError }, 'pausing intake failed'),
          );
      }
    }
  }

  /** Resolves once the breaker is closed; rejects when `signal` aborts first (the worker is stopping). */
  whenClosed(signal?: AbortSignal): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.#closedWaiters = this.#closedWaiters.filter((waiter) => waiter !== closed);
        reject(signal?.reason);
      };
      const closed = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#closedWaiters.push(closed);
    });
  }

  /**
   * The process is stopping: stop probing and never resume a lane again (shutdown pauses every lane on its
   * own and must not be undone by a probe that answers).
   */
  stop(): void {
    this.#stopping.abort();
  }

  async #probeUntilUp(): Promise<void> {
    let delay = this.#backoff.firstMs;
    let failedProbes = 0;
    for (;;) {
      try {
        await sleep(delay, undefined, { signal: this.#stopping.signal, ref: false });
      } catch {
        return; // stopping
      }
      try {
        await this.#probe.check();
        break;
      } catch {
        failedProbes += 1;
        delay = nextProbeDelay(delay, this.#backoff);
      }
    }
    if (this.#stopping.signal.aborted) return;
    this.#close(failedProbes);
  }

  #close(failedProbes: number): void {
    const downForMs = Date.now() - (this.#openedAt ?? Date.now());
    this.#openedAt = undefined;
    const lanes = [...this.#pausedLanes];
    this.#pausedLanes.clear();
    for (const lane of lanes) {
      for (const intake of this.#intakes.get(lane) ?? []) {
        Promise.resolve(intake.resume()).catch((resumeError: unknown) =>
          this.#logger.error({ lane, err: resumeError }, 'resuming intake failed'),
        );
      }
    }
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const waiter of waiters) waiter();
    this.#logger.info(
      { dependency: this.dependency, downForMs, failedProbes, resumedLanes: lanes },
      'dependency answers again; intake resumed',
    );
  }
}
