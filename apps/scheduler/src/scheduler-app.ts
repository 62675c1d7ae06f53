import { hostname } from 'node:os';
import {
  closeWorkerWithin,
  createRedisConnection,
  type Logger,
  OwnedRedisState,
  QueueNames,
  RedisKeys,
  redisTargetOf,
  type ServiceLifecycle,
  TaskMonitor,
} from '@dgc/shared';
import { createPrismaClient, type Prisma } from '@dgc/shared/db';
import { type Job, Queue, Worker } from 'bullmq';
import type { SchedulerConfig } from './config.js';
import { pruneHandledEvents } from './jobs/prune-handled-events.js';
import type { ScheduledJob } from './jobs/scheduled-job.js';

export function schedulerJobs(config: SchedulerConfig): ScheduledJob[] {
  return [
    {
      name: 'prune-handled-events',
      everyMs: config.SCHEDULER_PRUNE_EVERY_MS,
      run: async ({ prisma, signal }) => ({
        ...(await pruneHandledEvents(prisma, {
          retentionMs: config.DEDUPE_RETENTION_MS,
          batchSize: config.SCHEDULER_PRUNE_BATCH_SIZE,
          signal,
        })),
      }),
    },
  ];
}

/**
 * Registers the periodic jobs as BullMQ job schedulers and runs them. Every replica upserts the same
 * scheduler ids and consumes the same queue: BullMQ derives each run's job id from the scheduler id and
 * the run's time slot, so however many replicas run, each slot produces one job and one replica runs it.
 */
export async function startScheduler(
  config: SchedulerConfig,
  logger: Logger,
  tasks: TaskMonitor = new TaskMonitor({ logger }),
): Promise<ServiceLifecycle> {
  const replicaId = config.SCHEDULER_REPLICA_ID ?? `${hostname()}:${process.pid}`;
  const jobs = new Map(schedulerJobs(config).map((job) => [job.name, job]));
  const prisma = createPrismaClient({
    databaseUrl: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
  });
  const queuePrefix = new RedisKeys(config.REDIS_KEY_PREFIX).queuePrefix(QueueNames.scheduledJobs);
  const queueConnection = createRedisConnection({
    target: redisTargetOf(config),
    connectionName: 'scheduler:queue',
  });
  const queue = new Queue(QueueNames.scheduledJobs, {
    connection: queueConnection,
    prefix: queuePrefix,
  });

  const jobSchedulers = {
    description: 'job schedulers',
    async restore() {
      for (const job of jobs.values()) {
        await queue.upsertJobScheduler(
          job.name,
          { every: job.everyMs },
          {
            name: job.name,
            opts: {
              attempts: 3,
              backoff: { type: 'exponential', delay: 5_000 },
              removeOnComplete: { count: 100 },
              removeOnFail: { count: 1_000 },
            },
          },
        );
      }
    },
  };
  await jobSchedulers.restore();
  // A Redis that lost its data lost the schedulers too: without this no job would ever run again.
  await new OwnedRedisState({
    redis: queueConnection,
    keyPrefix: config.REDIS_KEY_PREFIX,
    restorable: [jobSchedulers],
    unrecoverable: 'runs that were due or running when Redis lost its data',
    logger,
  }).establish(tasks);

  const runJob = async (bullJob: Job, _token?: string, signal?: AbortSignal) => {
    const job = jobs.get(bullJob.name);
    if (!job) throw new Error(`no scheduled job named "${bullJob.name}" in this scheduler version`);
    const run = await prisma.scheduledJobRun.create({
      data: { jobName: job.name, jobId: bullJob.id ?? 'unknown', runnerId: replicaId, outcome: 'running' },
    });
    try {
      // Listed while it runs, so a stuck run shows its age (and is logged once it runs too long).
      const detail = await tasks.run(`scheduled:${job.name}`, () =>
        job.run({ prisma, logger, signal: signal ?? new AbortController().signal }),
      );
      await prisma.scheduledJobRun.update({
        where: { id: run.id },
        data: { outcome: 'succeeded', finishedAt: new Date(), detail: detail as Prisma.InputJsonObject },
      });
      logger.info({ job: job.name, jobId: bullJob.id, ...detail }, 'scheduled job done');
    } catch (error) {
      await prisma.scheduledJobRun.update({
        where: { id: run.id },
        data: { outcome: 'failed', finishedAt: new Date(), detail: { error: String(error) } },
      });
      throw error;
    }
  };

  const worker = new Worker(QueueNames.scheduledJobs, runJob, {
    connection: createRedisConnection({ target: redisTargetOf(config), connectionName: 'scheduler:worker' }),
    prefix: queuePrefix,
    concurrency: 1,
  });
  worker.on('failed', (job, error) =>
    logger.error({ job: job?.name, jobId: job?.id, err: error }, 'scheduled job failed'),
  );
  worker.on('error', (error) => logger.error({ err: error }, 'scheduler worker error'));
  await worker.waitUntilReady();
  tasks.watch('consume:scheduled-jobs', () => ({
    state: worker.isRunning() && !worker.isPaused() ? 'running' : 'paused',
    detail: `jobs ${[...jobs.keys()].join(', ')}`,
  }));
  logger.info(
    { replicaId, jobs: [...jobs.values()].map(({ name, everyMs }) => ({ name, everyMs })) },
    'scheduler running',
  );

  return {
    stopIntake: () => worker.pause(true),
    async drain(deadline) {
      const { forced } = await closeWorkerWithin(worker, deadline);
      if (forced) logger.warn('drain deadline passed; the running job returns to the queue');
    },
    async close() {
      await queue.close();
      await Promise.allSettled([queueConnection.quit(), prisma.$disconnect()]);
    },
  };
}
