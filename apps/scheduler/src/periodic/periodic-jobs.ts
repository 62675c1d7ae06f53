import {
  closeWorkerWithin,
  createRedisConnection,
  type Logger,
  QueueNames,
  type Redis,
  RedisKeys,
  type RedisTarget,
  type TaskMonitor,
} from '@dgc/shared';
import type { Prisma, PrismaClient } from '@dgc/shared/db';
import { type Job, Queue, Worker } from 'bullmq';
import { admitRun } from './run-records.js';
import { runWithDeadline } from './run-with-deadline.js';
import type { ScheduledJob } from './scheduled-job.js';

export interface PeriodicJobsSettings {
  redisTarget: RedisTarget;
  keyPrefix: string;
  replicaId: string;
  concurrency: number;
  /**
   * How long a run's lock lives unless renewed (every half of it while the run lives). A killed replica's run
   * is found stalled and run again elsewhere within about one and a half of it.
   */
  lockMs: number;
  prisma: PrismaClient;
  logger: Logger;
  tasks: TaskMonitor;
}

/** BullMQ names a job scheduler's run `repeat:<scheduler id>:<slot in epoch ms>`. */
function slotOf(job: Job): Date {
  const slot = Number(/:(\d+)$/.exec(job.id ?? '')?.[1]);
  return new Date(Number.isFinite(slot) ? slot : job.timestamp);
}

/**
 * Registers the periodic jobs as BullMQ job schedulers and runs them. Every replica upserts the same
 * scheduler ids and consumes the same queue: BullMQ derives each run's job id from the scheduler id and
 * the run's time slot, so however many replicas run, each slot produces one job and one replica runs it
 * (a retry keeps the id). Every attempt is a row of scheduled_job_run: outcome, duration, error.
 * A replica killed mid-run stops renewing the run's lock; once it lapses the stalled check moves the run
 * back to the queue and a surviving replica runs it again (BullMQ never fails a job scheduler's run for
 * stalling), its row marking the interrupted attempt abandoned (see admitRun).
 */
export class PeriodicJobs {
  readonly #jobs: Map<string, ScheduledJob>;
  readonly #settings: PeriodicJobsSettings;
  readonly #queueConnection: Redis;
  readonly #queue: Queue;
  #worker: Worker | undefined;

  constructor(jobs: readonly ScheduledJob[], settings: PeriodicJobsSettings) {
    this.#jobs = new Map(jobs.map((job) => [job.name, job]));
    this.#settings = settings;
    const prefix = new RedisKeys(settings.keyPrefix).queuePrefix(QueueNames.scheduledJobs);
    this.#queueConnection = createRedisConnection({
      target: settings.redisTarget,
      connectionName: 'scheduler:queue',
    });
    this.#queue = new Queue(QueueNames.scheduledJobs, { connection: this.#queueConnection, prefix });
  }

  get names(): string[] {
    return [...this.#jobs.keys()];
  }

  describe() {
    return [...this.#jobs.values()].map(({ name, timing }) => ({ name, ...timing }));
  }

  /**
   * Upserts every job's scheduler (idempotent: the same id and timing keep their slots). Called at start,
   * and again when Redis lost its data, which took the schedulers with it.
   */
  async registerSchedulers(): Promise<void> {
    for (const job of this.#jobs.values()) {
      await this.#queue.upsertJobScheduler(
        job.name,
        'everyMs' in job.timing ? { every: job.timing.everyMs } : { pattern: job.timing.pattern },
        {
          name: job.name,
          opts: {
            attempts: job.attempts,
            backoff: { type: 'exponential', delay: job.backoffMs },
            removeOnComplete: { count: 100 },
            removeOnFail: { count: 1_000 },
          },
        },
      );
    }
  }

  async start(): Promise<void> {
    const { logger, tasks } = this.#settings;
    await this.registerSchedulers();
    // A job the bot no longer declares would otherwise keep producing runs nobody can handle.
    for (const scheduler of await this.#queue.getJobSchedulers()) {
      const id = scheduler.key;
      if (!this.#jobs.has(id)) {
        await this.#queue.removeJobScheduler(id);
        logger.info({ job: id }, 'removed the scheduler of a job no longer declared');
      }
    }
    const worker = new Worker(
      QueueNames.scheduledJobs,
      (job: Job, _token?: string, signal?: AbortSignal) => this.#runAttempt(job, signal),
      {
        connection: createRedisConnection({
          target: this.#settings.redisTarget,
          connectionName: 'scheduler:worker',
        }),
        prefix: new RedisKeys(this.#settings.keyPrefix).queuePrefix(QueueNames.scheduledJobs),
        concurrency: this.#settings.concurrency,
        lockDuration: this.#settings.lockMs,
        // One replica's check per interval runs cluster-wide (BullMQ holds a key for it): a run is marked at
        // one check and moved back at the next if its lock lapsed in between.
        stalledInterval: Math.floor(this.#settings.lockMs / 2),
      },
    );
    worker.on('failed', (job, error) =>
      logger.error(
        { job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error },
        'scheduled job failed',
      ),
    );
    worker.on('stalled', (jobId) =>
      logger.warn(
        { jobId },
        'scheduled run stalled (its replica stopped or lost the lock); running it again',
      ),
    );
    worker.on('error', (error) => logger.error({ err: error }, 'scheduler worker error'));
    await worker.waitUntilReady();
    this.#worker = worker;
    tasks.watch('consume:scheduled-jobs', () => ({
      state: worker.isRunning() && !worker.isPaused() ? 'running' : 'paused',
      detail: `jobs ${this.names.join(', ')}`,
    }));
  }

  async #runAttempt(bullJob: Job, signal: AbortSignal | undefined): Promise<void> {
    const { prisma, logger, tasks, replicaId } = this.#settings;
    const job = this.#jobs.get(bullJob.name);
    if (!job) throw new Error(`no scheduled job named "${bullJob.name}" in this scheduler version`);
    // A run taken over after a stall counts as an attempt too (BullMQ counts it started, not made).
    const attempt = Math.max(bullJob.attemptsMade + 1, bullJob.attemptsStarted);
    const slot = slotOf(bullJob);
    const jobLogger = logger.child({ job: job.name, jobId: bullJob.id, attempt });
    const admission = await admitRun(prisma, {
      jobName: job.name,
      jobId: bullJob.id ?? 'unknown',
      runnerId: replicaId,
      attempt,
    });
    if ('alreadySucceeded' in admission) {
      jobLogger.warn('scheduled run already succeeded before its replica stopped; not run again');
      return;
    }
    if (admission.abandoned > 0) {
      jobLogger.warn(
        { abandoned: admission.abandoned },
        'scheduled run taken over from an interrupted attempt',
      );
    }
    const run = { id: admission.runId };
    const startedAt = performance.now();
    try {
      // Listed while it runs, so a stuck run shows its age (and is logged once it runs too long).
      const detail = await tasks.run(`scheduled:${job.name}`, () =>
        runWithDeadline(job.timeoutMs, signal, (jobSignal) =>
          job.run({ prisma, logger: jobLogger, signal: jobSignal, attempt, slot }),
        ),
      );
      const durationMs = Math.round(performance.now() - startedAt);
      await prisma.scheduledJobRun.update({
        where: { id: run.id },
        data: {
          outcome: 'succeeded',
          finishedAt: new Date(),
          durationMs,
          ...(detail ? { detail: detail as Prisma.InputJsonObject } : {}),
        },
      });
      jobLogger.info({ durationMs, ...detail }, 'scheduled job done');
    } catch (error) {
      await prisma.scheduledJobRun.update({
        where: { id: run.id },
        data: {
          outcome: 'failed',
          finishedAt: new Date(),
          durationMs: Math.round(performance.now() - startedAt),
          error: error instanceof Error ? error.message : String(error),
        },
      });
      throw error;
    }
  }

  stopIntake(): Promise<void> {
    return this.#worker?.pause(true) ?? Promise.resolve();
  }

  /** Waits for running attempts until `deadline`; returns whether it had to force them. */
  async drain(deadline: AbortSignal): Promise<boolean> {
    if (!this.#worker) return false;
    return (await closeWorkerWithin(this.#worker, deadline)).forced;
  }

  async close(): Promise<void> {
    await this.#queue.close();
    await this.#queueConnection.quit().catch(() => {});
  }
}
