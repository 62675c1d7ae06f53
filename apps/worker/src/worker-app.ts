import {
  botModuleLocation,
  describeDifference,
  type HandlerRegistry,
  loadBotModule,
  PostgresDelayedJobs,
  RedisStateCache,
} from '@dgc/bot-sdk/runtime';
import { openSharedRest } from '@dgc/rest';
import {
  closeWorkerWithin,
  createRedisConnection,
  type Logger,
  laneQueueNames,
  laneTopologyFromConfig,
  OwnedRedisState,
  RedisKeys,
  redisTargetOf,
  type ServiceLifecycle,
  TaskMonitor,
} from '@dgc/shared';
import { createPrismaClient } from '@dgc/shared/db';
import { ProcessMetrics } from '@dgc/shared/observability';
import { Queue } from 'bullmq';
import { registerBotCommands } from './bot/register-bot-commands.js';
import type { WorkerConfig } from './config.js';
import { dedupeReplication } from './dedupe/dedupe-replication.js';
import { EventDedupe } from './dedupe/event-dedupe.js';
import { lowerCpuPriority } from './runtime/cpu-priority.js';
import { DependencyBreaker } from './runtime/dependency-breaker.js';
import { HandlerInvoker } from './runtime/handler-invoker.js';
import { describeLaneConsumers, startLaneConsumers, watchLaneConsumers } from './runtime/lane-consumers.js';
import { PostgresProbe } from './runtime/postgres-probe.js';
import {
  registerBreakerMetrics,
  registerRestClusterMetrics,
  registerWorkerMetrics,
} from './runtime/worker-metrics.js';

/**
 * Starts one worker process's consumers of the gateway events. An event's path, stage by stage:
 * `lane-consumers` (BullMQ workers) → `batch-processor` (claim, run, settle, re-queue) → `handler-invoker`
 * (the bot's handlers with their context and deadline), with `event-dedupe` claiming and settling.
 */
export async function startWorker(
  config: WorkerConfig,
  logger: Logger,
  tasks: TaskMonitor = new TaskMonitor({ logger }),
  {
    registry,
    metrics = new ProcessMetrics('worker', tasks),
  }: { registry?: HandlerRegistry; metrics?: ProcessMetrics } = {},
): Promise<ServiceLifecycle> {
  const cpuPriority = config.WORKER_NICE > 0 ? lowerCpuPriority(config.WORKER_NICE) : undefined;
  // The bot's own database client (if it declares tables) gets the same bounds as the worker's below.
  const bot = registry
    ? { registry, close: async () => {} }
    : await loadBotModule(botModuleLocation(config.WORKER_BOT_MODULE), {
        database: {
          databaseUrl: config.DATABASE_URL,
          maxConnections: config.DATABASE_POOL_SIZE,
          statementTimeoutMs: config.WORKER_JOB_TIMEOUT_MS,
          lockTimeoutMs: Math.min(5_000, config.WORKER_JOB_TIMEOUT_MS),
        },
      });
  registry = bot.registry;
  const redis = createRedisConnection({ target: redisTargetOf(config), connectionName: 'worker:commands' });
  // The runtime's own tables: handlers schedule delayed jobs through it (a bot's own tables have the bot's
  // client, made above), and it answers the readiness check. No statement outlives the job that issued it;
  // lock waits give up sooner and are retried.
  const prisma = createPrismaClient({
    databaseUrl: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.WORKER_JOB_TIMEOUT_MS,
    lockTimeoutMs: Math.min(5_000, config.WORKER_JOB_TIMEOUT_MS),
  });
  const topology = laneTopologyFromConfig(config);
  // Queue handles for lane depths in /metrics (the consumers' own are busy blocking on new jobs).
  const redisKeys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const depthQueues = config.WORKER_LANES.map((lane) => ({
    lane,
    queues: laneQueueNames(topology, lane).map(
      (name) => new Queue(name, { connection: redis, prefix: redisKeys.queuePrefix(name) }),
    ),
  }));
  const { observer, restObserver, cacheObserver } = registerWorkerMetrics(metrics, () => depthQueues);
  // Every job of the example bot needs PostgreSQL: while it is unreachable, intake pauses instead of
  // spending the jobs' attempts (see DependencyBreaker).
  const postgres = new DependencyBreaker({ probe: new PostgresProbe(config.DATABASE_URL), logger });
  registerBreakerMetrics(metrics, [postgres]);
  metrics.addReadinessCheck(postgres.dependency, async () => {
    if (postgres.isOpen) return false;
    await prisma.$queryRaw`select 1`;
    return true;
  });
  const workerRest = await openSharedRest(config, {
    connectionName: 'worker:rest-limits',
    requestTimeoutMs: config.DISCORD_REST_TIMEOUT_MS,
    logger,
    observer: restObserver,
  });
  registerRestClusterMetrics(metrics, workerRest.clusterStats);
  if (config.REGISTER_COMMANDS) {
    // Before intake, so users see the new commands as this version starts answering them. A failure is
    // logged, not fatal: the commands Discord already has keep working.
    await registerBotCommands({
      rest: workerRest.rest,
      registry,
      ...(config.REGISTER_COMMANDS_GUILD_ID ? { guildId: config.REGISTER_COMMANDS_GUILD_ID } : {}),
    }).then(
      ({ difference, overwritten }) =>
        logger.info({ difference, overwritten }, `slash commands: ${describeDifference(difference)}`),
      (error: unknown) => logger.error({ err: error }, 'slash command registration failed'),
    );
  }

  // The topology and subscribed events this worker relies on, written again whenever Redis loses them.
  await new OwnedRedisState({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    topology,
    subscribedEvents: registry.subscribedEvents(),
    unrecoverable:
      'events queued in the lanes and not yet handled; dedupe claims (an event redelivered after the loss may be handled twice)',
    logger,
    metrics,
  }).establish(tasks);

  const replication = await dedupeReplication(config, tasks, metrics, logger);
  const dedupe = new EventDedupe(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    // A claim outlives the job timeout, so only a crashed worker's claim ever expires.
    processingTtlMs: config.WORKER_JOB_TIMEOUT_MS * 2,
    doneTtlMs: config.DEDUPE_RETENTION_MS,
    ...(replication.replication ? { replication: replication.replication } : {}),
    ...(replication.observer ? { observer: replication.observer } : {}),
  });
  const invoker = new HandlerInvoker({
    registry,
    services: {
      rest: workerRest.rest,
      redis,
      jobs: new PostgresDelayedJobs(prisma, registry.jobs.delayedNames),
      cache: new RedisStateCache({
        redis,
        rest: workerRest.rest,
        keyPrefix: config.REDIS_KEY_PREFIX,
        fallbackTtlMs: config.CACHE_FALLBACK_TTL_MS,
        observer: cacheObserver,
      }),
    },
    jobTimeoutMs: config.WORKER_JOB_TIMEOUT_MS,
    observer,
  });
  const lanes = await Promise.all(
    config.WORKER_LANES.map((lane) =>
      startLaneConsumers({
        lane,
        topology,
        concurrency: config.WORKER_LANE_CONCURRENCY[lane] ?? config.WORKER_CONCURRENCY,
        redisTarget: redisTargetOf(config),
        keyPrefix: config.REDIS_KEY_PREFIX,
        lockDurationMs: config.WORKER_LOCK_DURATION_MS,
        invoker,
        dedupe,
        breaker: postgres,
        observer,
        logger,
      }),
    ),
  );
  watchLaneConsumers(tasks, lanes);
  logger.info(
    {
      lanes: describeLaneConsumers(lanes),
      events: registry.subscribedEvents(),
      commands: registry.commands.map((command) => command.name),
      ...(cpuPriority ? { cpuPriority } : {}),
    },
    'worker consuming gateway events',
  );

  const workers = lanes.flatMap((lane) => lane.workers);
  return {
    async stopIntake() {
      // A probe answering during shutdown must not resume the lanes paused here.
      postgres.stop();
      await Promise.all(workers.map((worker) => worker.pause(true)));
    },
    async drain(deadline) {
      const results = await Promise.all(workers.map((worker) => closeWorkerWithin(worker, deadline)));
      if (results.some(({ forced }) => forced))
        logger.warn('drain deadline passed; unfinished jobs return to the queue');
    },
    async close() {
      await Promise.allSettled([
        redis.quit(),
        prisma.$disconnect(),
        bot.close(),
        ...lanes.map(({ requeuer }) => requeuer.close()),
        ...depthQueues.flatMap(({ queues }) => queues.map((queue) => queue.close())),
        ...lanes.map(({ connection }) => connection.quit()),
        workerRest.close(),
        replication.close(),
      ]);
    },
  };
}
