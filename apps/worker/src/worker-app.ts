import { createRateLimitedRest } from '@dgc/rest';
import {
  closeWorkerWithin,
  createRedisConnection,
  EventSubscriptions,
  ensureLaneTopology,
  type Logger,
  laneQueueNames,
  laneTopologyFromConfig,
  RedisKeys,
  type ServiceLifecycle,
  TaskMonitor,
} from '@dgc/shared';
import { createPrismaClient } from '@dgc/shared/db';
import { ProcessMetrics } from '@dgc/shared/observability';
import { Queue } from 'bullmq';
import type { WorkerConfig } from './config.js';
import { EventDedupe } from './dedupe/event-dedupe.js';
import { createBotHandlers } from './handlers/bot-handlers.js';
import { loadBotModule } from './handlers/bot-module.js';
import type { HandlerRegistry } from './handlers/handler-registry.js';
import { lowerCpuPriority } from './runtime/cpu-priority.js';
import { createJobProcessor } from './runtime/job-processor.js';
import { startLaneConsumers } from './runtime/lane-consumers.js';
import { registerRestClusterMetrics, registerWorkerMetrics } from './runtime/worker-metrics.js';

/** Starts one worker process's consumer of the gateway events queue. */
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
  registry ??= config.WORKER_BOT_MODULE ? await loadBotModule(config.WORKER_BOT_MODULE) : createBotHandlers();
  const redis = createRedisConnection({ url: config.REDIS_URL, connectionName: 'worker:commands' });
  const prisma = createPrismaClient({
    databaseUrl: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
    // No statement outlives the job that issued it; lock waits give up sooner and are retried.
    statementTimeoutMs: config.WORKER_JOB_TIMEOUT_MS,
    lockTimeoutMs: Math.min(5_000, config.WORKER_JOB_TIMEOUT_MS),
  });
  // Its own connection without an offline queue: while Redis is down a decision fails at once and the
  // local fallback share decides, instead of calls queueing behind a reconnect.
  const limiterRedis = createRedisConnection({
    url: config.REDIS_URL,
    connectionName: 'worker:rest-limits',
    overrides: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  });
  limiterRedis.on('error', () => {}); // reported by the limiter as a switch to its local fallback
  // Without an offline queue, a call before the connection is up would count as an outage.
  if (limiterRedis.status !== 'ready') {
    await new Promise<void>((resolve) => limiterRedis.once('ready', () => resolve()));
  }
  const topology = laneTopologyFromConfig(config);
  // Queue handles for lane depths in /metrics (the consumers' own are busy blocking on new jobs).
  const redisKeys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const depthQueues = config.WORKER_LANES.map((lane) => ({
    lane,
    queues: laneQueueNames(topology, lane).map(
      (name) => new Queue(name, { connection: redis, prefix: redisKeys.queuePrefix(name) }),
    ),
  }));
  const { observer, restObserver } = registerWorkerMetrics(metrics, () => depthQueues);
  metrics.addReadinessCheck('postgres', async () => {
    await prisma.$queryRaw`select 1`;
    return true;
  });
  const { rest, limiter } = createRateLimitedRest({
    rest: { api: config.DISCORD_API_URL, version: '10', timeout: config.DISCORD_REST_TIMEOUT_MS },
    token: config.DISCORD_TOKEN,
    limiter: {
      redis: limiterRedis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      globalPerSecond: config.REST_GLOBAL_PER_SECOND,
      invalidRequestBreaker: config.REST_INVALID_REQUEST_BREAKER,
      fallbackShare: config.REST_FALLBACK_SHARE,
      observer: {
        onFallback: (active, error) => {
          restObserver.onFallback?.(active, error);
          if (active)
            logger.warn({ err: error }, 'Redis unavailable: REST limits now local (a share of each limit)');
          else logger.info('Redis back: REST limits shared again');
        },
        onRateLimited: (route, scope) => {
          logger.warn({ route, scope }, 'Discord answered 429');
          restObserver.onRateLimited?.(route, scope);
        },
        onResponse: restObserver.onResponse,
        onWait: restObserver.onWait,
      },
    },
  });

  await new EventSubscriptions(config.REDIS_KEY_PREFIX).register(redis, registry.subscribedEvents());

  const dedupe = new EventDedupe(redis, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    // A claim outlives the job timeout, so only a crashed worker's claim ever expires.
    processingTtlMs: config.WORKER_JOB_TIMEOUT_MS * 2,
    doneTtlMs: config.WORKER_DEDUPE_TTL_MS,
  });
  const processor = createJobProcessor({
    registry,
    rest,
    prisma,
    redis,
    logger,
    jobTimeoutMs: config.WORKER_JOB_TIMEOUT_MS,
    dedupe,
    observer,
  });
  if (limiter) registerRestClusterMetrics(metrics, () => limiter.clusterStats());
  await ensureLaneTopology(redis, config.REDIS_KEY_PREFIX, topology);
  const lanes = await Promise.all(
    config.WORKER_LANES.map((lane) =>
      startLaneConsumers({
        lane,
        topology,
        concurrency: config.WORKER_LANE_CONCURRENCY[lane] ?? config.WORKER_CONCURRENCY,
        redisUrl: config.REDIS_URL,
        keyPrefix: config.REDIS_KEY_PREFIX,
        lockDurationMs: config.WORKER_LOCK_DURATION_MS,
        processorFor: processor,
        logger,
      }),
    ),
  );
  const workers = lanes.flatMap((lane) => lane.workers);
  for (const { lane, workers: laneWorkers, ordered, concurrency } of lanes) {
    tasks.watch(`consume:${lane}`, () => {
      const running = laneWorkers.filter((worker) => worker.isRunning() && !worker.isPaused()).length;
      return {
        state: running === laneWorkers.length ? 'running' : running === 0 ? 'paused' : 'waiting',
        detail: ordered
          ? `${running}/${laneWorkers.length} partitions, concurrency ${concurrency}`
          : `concurrency ${concurrency}`,
      };
    });
  }
  logger.info(
    {
      lanes: Object.fromEntries(
        lanes.map(({ lane, concurrency, ordered, workers: partitions }) => [
          lane,
          ordered ? { concurrency, partitions: partitions.length } : concurrency,
        ]),
      ),
      events: registry.subscribedEvents(),
      commands: registry.commands.map((command) => command.name),
      ...(cpuPriority ? { cpuPriority } : {}),
    },
    'worker consuming gateway events',
  );

  return {
    async stopIntake() {
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
        ...lanes.flatMap(({ requeueQueues }) => [...requeueQueues.values()].map((queue) => queue.close())),
        ...depthQueues.flatMap(({ queues }) => queues.map((queue) => queue.close())),
        ...lanes.map(({ connection }) => connection.quit()),
        // The callbacks answered since the last flush still count in the cluster's REST stats.
        Promise.resolve(limiter?.flushStats()).then(() => limiterRedis.quit()),
      ]);
    },
  };
}
