import type { JsonValue } from '@dgc/bot-sdk';
import type { BotJobs, DelayedJobContext } from '@dgc/bot-sdk/runtime';
import type { Logger, TaskMonitor } from '@dgc/shared';
import type { BotJobServices } from '../periodic/bot-periodic-jobs.js';
import { runWithDeadline } from '../periodic/run-with-deadline.js';
import { type ClaimedJob, type DelayedJobClaims, LostClaimError } from './delayed-job-claims.js';

export interface DelayedJobRunnerSettings {
  concurrency: number;
  batchSize: number;
  pollMs: number;
  /** Added to a job's timeout to make its claim's lease. */
  leaseGraceMs: number;
  retryBackoffMs: number;
}

/**
 * Runs the bot's delayed jobs as they fall due: claims no more than it has room for (a claimed job waiting
 * in memory would use up its lease), runs each under its handler's timeout, records it done or schedules
 * its retry. Delivery is at least once — a replica killed between a handler's effect and its record runs
 * again elsewhere once the lease passes — and recording exactly once (see `DelayedJobClaims.complete`).
 */
export class DelayedJobRunner {
  readonly #claims: DelayedJobClaims;
  readonly #jobs: BotJobs;
  readonly #services: BotJobServices;
  readonly #settings: DelayedJobRunnerSettings;
  readonly #logger: Logger;
  readonly #running = new Set<Promise<void>>();
  /** Aborts running jobs when the drain deadline passes. */
  readonly #stopRunning = new AbortController();
  readonly #leaseMs: number;
  #intake = true;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    claims: DelayedJobClaims,
    jobs: BotJobs,
    services: BotJobServices,
    settings: DelayedJobRunnerSettings,
    logger: Logger,
  ) {
    this.#claims = claims;
    this.#jobs = jobs;
    this.#services = services;
    this.#settings = settings;
    this.#logger = logger;
    const longest = Math.max(0, ...jobs.delayedNames.map((name) => jobs.delayedNamed(name)?.timeoutMs ?? 0));
    this.#leaseMs = longest + settings.leaseGraceMs;
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  start(tasks: TaskMonitor): void {
    this.#loop = this.#claimLoop().catch((error: unknown) => {
      this.#logger.fatal({ err: error }, 'delayed job loop stopped');
      throw error;
    });
    tasks.watch('claim:delayed-jobs', () => ({
      state: this.#intake ? 'running' : 'paused',
      detail: `${this.#running.size}/${this.#settings.concurrency} running`,
    }));
  }

  async #claimLoop(): Promise<void> {
    while (this.#intake) {
      const room = this.#settings.concurrency - this.#running.size;
      let claimed: ClaimedJob[] = [];
      if (room > 0) {
        try {
          claimed = await this.#claims.claim(Math.min(room, this.#settings.batchSize), this.#leaseMs);
        } catch (error) {
          this.#logger.error({ err: error }, 'claiming delayed jobs failed; trying again');
        }
        for (const job of claimed) this.#track(this.#run(job));
      }
      // A full batch means more may be due: claim again at once if there is room. Otherwise wait for the
      // poll interval, or for a slot to free up.
      if (claimed.length > 0 && claimed.length === room) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), this.#settings.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #track(run: Promise<void>): void {
    this.#running.add(run);
    void run.finally(() => {
      this.#running.delete(run);
      if (this.#running.size === this.#settings.concurrency - 1) this.#wake?.();
    });
  }

  async #run(job: ClaimedJob): Promise<void> {
    const logger = this.#logger.child({
      delayedJob: job.name,
      delayedJobId: String(job.id),
      attempt: job.attempts,
    });
    const definition = this.#jobs.delayedNamed(job.name);
    try {
      if (!definition) throw new Error(`no delayed job named "${job.name}" in this bot version`);
      if (job.attempts > job.maxAttempts) {
        throw new Error(`gave up: its claimer was lost ${job.attempts - 1} times`);
      }
      let recorded = false;
      await runWithDeadline(definition.timeoutMs, this.#stopRunning.signal, async (signal) => {
        const context: DelayedJobContext = {
          ...this.#services,
          logger,
          signal,
          attempt: job.attempts,
          id: String(job.id),
          runAt: job.runAt,
          completeWith: async (write) => {
            if (recorded) throw new Error('completeWith may be called once per run');
            recorded = true;
            return (await this.#claims.complete(job, definition.timeoutMs, write)) as Awaited<
              ReturnType<typeof write>
            >;
          },
        };
        await definition.handler(job.payload as JsonValue, context);
      });
      if (!recorded) await this.#claims.complete(job, definition.timeoutMs);
      logger.debug({ latenessMs: Date.now() - job.runAt.getTime() }, 'delayed job done');
    } catch (error) {
      if (error instanceof LostClaimError) {
        logger.warn('delayed job was claimed again by another replica (lease passed); not recorded here');
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const retry = definition && job.attempts < job.maxAttempts;
      const retryAt = retry
        ? new Date(Date.now() + this.#settings.retryBackoffMs * 2 ** (job.attempts - 1))
        : null;
      logger.error({ err: error, retryAt }, retry ? 'delayed job failed; retrying' : 'delayed job failed');
      await this.#claims.fail(job, message, retryAt).catch((recordError: unknown) => {
        // The lease passes and another claim retries it.
        logger.error({ err: recordError }, 'recording a failed delayed job failed');
      });
    }
  }

  stopIntake(): void {
    this.#intake = false;
    this.#wake?.();
  }

  /** Waits for running jobs until `deadline`; then aborts them (their leases pass and they are claimed again). */
  async drain(deadline: AbortSignal): Promise<boolean> {
    await this.#loop?.catch(() => {});
    const finished = Promise.allSettled([...this.#running]).then(() => false);
    const forced = new Promise<boolean>((resolve) => {
      if (deadline.aborted) resolve(true);
      deadline.addEventListener('abort', () => resolve(true), { once: true });
    });
    const wasForced = await Promise.race([finished, forced]);
    if (wasForced) this.#stopRunning.abort(new Error('scheduler stopping: drain deadline passed'));
    return wasForced;
  }
}
