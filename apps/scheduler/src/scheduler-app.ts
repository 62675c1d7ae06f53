import { hostname } from 'node:os';
import {
  botModuleLocation,
  loadBotModule,
  PostgresDelayedJobs,
  RedisGatewayCommands,
  RedisStateCache,
} from '@dgc/bot-sdk/runtime';
import { openSharedRest } from '@dgc/rest';
import {
  createRedisConnection,
  type Logger,
  OwnedRedisState,
  redisTargetOf,
  type ServiceLifecycle,
  TaskMonitor,
} from '@dgc/shared';
import { createPrismaClient } from '@dgc/shared/db';
import type { SchedulerConfig } from './config.js';
import { DelayedJobClaims } from './delayed/delayed-job-claims.js';
import { DelayedJobRunner } from './delayed/delayed-job-runner.js';
import { type BotJobServices, botPeriodicJob } from './periodic/bot-periodic-jobs.js';
import { PeriodicJobs } from './periodic/periodic-jobs.js';
import { pruneHandledEvents } from './periodic/prune-handled-events.js';
import type { ScheduledJob } from './periodic/scheduled-job.js';

/** The scheduler's own periodic jobs; a bot's `bot.every` jobs are added beside them. */
export function schedulerJobs(config: SchedulerConfig): ScheduledJob[] {
  return [
    {
      name: 'prune-handled-events',
      timing: { everyMs: config.SCHEDULER_PRUNE_EVERY_MS },
      timeoutMs: Math.max(60_000, config.SCHEDULER_PRUNE_EVERY_MS),
      attempts: 3,
      backoffMs: 5_000,
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
 * Starts one scheduler replica: loads the bot (the module the workers run), registers the scheduler's and
 * the bot's periodic jobs (once per slot across replicas, see PeriodicJobs) and runs the bot's delayed
 * jobs as they fall due (claimed from PostgreSQL, see DelayedJobRunner).
 */
export async function startScheduler(
  config: SchedulerConfig,
  logger: Logger,
  tasks: TaskMonitor = new TaskMonitor({ logger }),
): Promise<ServiceLifecycle> {
  const replicaId = config.SCHEDULER_REPLICA_ID ?? `${hostname()}:${process.pid}`;
  const bot = await loadBotModule(botModuleLocation(config.WORKER_BOT_MODULE), {
    database: { databaseUrl: config.DATABASE_URL, maxConnections: config.DATABASE_POOL_SIZE },
  });
  const prisma = createPrismaClient({
    databaseUrl: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
  });
  // The delayed jobs' claims and lease renewals, apart from the records that fill the pool above when
  // many jobs end at once (see DelayedJobDatabase): one connection for the claim loop, one for renewals.
  const delayedQueuePrisma = createPrismaClient({ databaseUrl: config.DATABASE_URL, maxConnections: 2 });
  const redis = createRedisConnection({
    target: redisTargetOf(config),
    connectionName: 'scheduler:commands',
  });
  // Each request's timeout; the job's own timeout bounds the whole run.
  const schedulerRest = await openSharedRest(config, {
    connectionName: 'scheduler:rest-limits',
    requestTimeoutMs: 15_000,
    logger,
  });
  const botJobs = bot.registry.jobs;
  const services: BotJobServices = {
    rest: schedulerRest.rest,
    redis,
    jobs: new PostgresDelayedJobs(prisma, botJobs.delayedNames),
    gateway: new RedisGatewayCommands(redis, config.REDIS_KEY_PREFIX),
    cache: new RedisStateCache({
      redis,
      rest: schedulerRest.rest,
      keyPrefix: config.REDIS_KEY_PREFIX,
      fallbackTtlMs: config.CACHE_FALLBACK_TTL_MS,
    }),
  };

  const reserved = new Set(schedulerJobs(config).map((job) => job.name));
  for (const job of botJobs.periodic) {
    if (reserved.has(job.name)) throw new Error(`bot.every("${job.name}"): the scheduler uses that name`);
  }
  const periodic = new PeriodicJobs(
    [...schedulerJobs(config), ...botJobs.periodic.map((job) => botPeriodicJob(job, services))],
    {
      redisTarget: redisTargetOf(config),
      keyPrefix: config.REDIS_KEY_PREFIX,
      replicaId,
      concurrency: config.SCHEDULER_PERIODIC_CONCURRENCY,
      lockMs: config.SCHEDULER_PERIODIC_LOCK_DURATION_MS,
      prisma,
      logger,
      tasks,
    },
  );
  await periodic.start();
  // A Redis that lost its data lost the job schedulers too: without this no periodic job would run again.
  await new OwnedRedisState({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    restorable: [{ description: 'job schedulers', restore: () => periodic.registerSchedulers() }],
    unrecoverable: 'periodic runs that were due or running when Redis lost its data',
    logger,
  }).establish(tasks);
  const delayed = new DelayedJobRunner(
    new DelayedJobClaims({ queue: delayedQueuePrisma, records: prisma }, replicaId),
    botJobs,
    services,
    {
      concurrency: config.SCHEDULER_DELAYED_CONCURRENCY,
      batchSize: config.SCHEDULER_DELAYED_BATCH_SIZE,
      pollMs: config.SCHEDULER_DELAYED_POLL_MS,
      leaseMs: config.SCHEDULER_DELAYED_LEASE_MS,
      retryBackoffMs: config.SCHEDULER_DELAYED_RETRY_BACKOFF_MS,
    },
    logger,
  );
  if (botJobs.delayedNames.length > 0) delayed.start(tasks);
  logger.info(
    {
      replicaId,
      jobs: periodic.describe(),
      delayedJobs: botJobs.delayedNames,
      ...(botJobs.delayedNames.length > 0 ? { delayedLeaseMs: config.SCHEDULER_DELAYED_LEASE_MS } : {}),
    },
    'scheduler running',
  );

  return {
    async stopIntake() {
      delayed.stopIntake();
      await periodic.stopIntake();
    },
    async drain(deadline) {
      const forced = await Promise.all([periodic.drain(deadline), delayed.drain(deadline)]);
      if (forced.some(Boolean)) logger.warn('drain deadline passed; unfinished jobs run again elsewhere');
    },
    async close() {
      await periodic.close();
      await Promise.allSettled([
        redis.quit(),
        prisma.$disconnect(),
        delayedQueuePrisma.$disconnect(),
        bot.close(),
        schedulerRest.close(),
      ]);
    },
  };
}
