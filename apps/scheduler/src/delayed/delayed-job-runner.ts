import { setImmediate } from 'node:timers/promises';
import type { JsonValue } from '@dgc/bot-sdk';
import type { BotJobs, DelayedJobContext } from '@dgc/bot-sdk/runtime';
import type { Logger, TaskMonitor } from '@dgc/shared';
import type { BotJobServices } from '../periodic/bot-periodic-jobs.js';
import { runWithDeadline } from '../periodic/run-with-deadline.js';
import { ClaimLeases } from './claim-leases.js';
import { claimWaitMs, LoopWakeup } from './claim-wait.js';
import { type ClaimedJob, type DelayedJobClaims, LostClaimError } from './delayed-job-claims.js';

/** Shortest sleep between claims while due rows are locked by another replica's claim in flight. */
const lockedRetryMs = 20;

export interface DelayedJobRunnerSettings {
  concurrency: number;
  batchSize: number;
  /** Longest sleep between looks for due jobs; a job already known is woken for at its due time. */
  pollMs: number;
  /** A claim's lease, renewed every third of it while the run lasts (see ClaimLeases). */
  leaseMs: number;
  retryBackoffMs: number;
}

/**
 * Runs the bot's delayed jobs as they fall due: sleeps until the earliest one is due (looking again at
 * least every poll interval for jobs scheduled since), claims in batches no more than it has room for (a
 * claimed job waiting in memory would hold it from another replica), claims again at once while batches
 * come back full or a slot frees with jobs still due, runs each under its handler's timeout while its
 * lease is renewed, records it done or schedules its retry. Delivery is at least once — a replica killed
 * between a handler's effect and its record runs again elsewhere once the lease passes — and recording
 * exactly once (see `DelayedJobClaims.complete`).
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
  readonly #leases: ClaimLeases;
  readonly #wakeup = new LoopWakeup();
  #intake = true;
  /** The loop sleeps because every slot is taken: a finished run wakes it. */
  #full = false;
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
    this.#leases = new ClaimLeases(claims, settings.leaseMs, logger);
  }

  start(tasks: TaskMonitor): void {
    this.#leases.start();
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
    const { concurrency, batchSize, pollMs, leaseMs } = this.#settings;
    while (this.#intake) {
      const room = concurrency - this.#running.size;
      if (room <= 0) {
        this.#full = true;
        await this.#wakeup.sleep(Number.POSITIVE_INFINITY);
        this.#full = false;
        // Runs ending in the same turn of the event loop free their slots before the claim, so one
        // statement claims for all of them rather than one statement each.
        await setImmediate();
        continue;
      }
      const limit = Math.min(room, batchSize);
      let claimed: ClaimedJob[];
      try {
        claimed = await this.#claims.claim(limit, leaseMs);
      } catch (error) {
        this.#logger.error({ err: error }, 'claiming delayed jobs failed; trying again');
        await this.#wakeup.sleep(pollMs);
        continue;
      }
      for (const job of claimed) this.#track(job);
      // A full batch means more may be due: claim again at once (or wait for room).
      if (claimed.length === limit) continue;
      let untilNext: number | null = null;
      try {
        untilNext = await this.#claims.msUntilNextClaimable();
      } catch (error) {
        this.#logger.error({ err: error }, 'reading when the next delayed job is due failed');
      }
      await this.#wakeup.sleep(claimWaitMs(untilNext, pollMs, lockedRetryMs));
    }
  }

  #track(job: ClaimedJob): void {
    const run = this.#run(job, this.#leases.hold(job.claimToken)).finally(() =>
      this.#leases.release(job.claimToken),
    );
    this.#running.add(run);
    void run.finally(() => {
      this.#running.delete(run);
      if (this.#full) this.#wakeup.wake();
    });
  }

  async #run(job: ClaimedJob, claimLost: AbortSignal): Promise<void> {
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
      const stop = AbortSignal.any([this.#stopRunning.signal, claimLost]);
      await runWithDeadline(definition.timeoutMs, stop, async (signal) => {
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
            // The record checks the claim itself; a renewal racing it must not count the claim lost.
            this.#leases.release(job.claimToken);
            return (await this.#claims.complete(job, definition.timeoutMs, write)) as Awaited<
              ReturnType<typeof write>
            >;
          },
        };
        await definition.handler(job.payload as JsonValue, context);
      });
      if (!recorded) {
        this.#leases.release(job.claimToken);
        await this.#claims.complete(job, definition.timeoutMs);
      }
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
    this.#wakeup.wake();
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
    // Aborted runs record their failure (or their leases pass), so nothing is renewed past this point.
    this.#leases.stop();
    return wasForced;
  }
}
