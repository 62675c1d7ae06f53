import {
  closeWorkerWithin,
  createRedisConnection,
  EventSubscriptions,
  type GatewayEventEnvelope,
  type Logger,
  QueueNames,
  type ServiceLifecycle,
} from '@dgc/shared';
import { createPrismaClient } from '@dgc/shared/db';
import { REST } from '@discordjs/rest';
import { Worker } from 'bullmq';
import type { WorkerConfig } from './config.js';
import { createBotHandlers } from './handlers/bot-handlers.js';
import type { HandlerRegistry } from './handlers/handler-registry.js';
import { createJobProcessor } from './runtime/job-processor.js';

/** Starts one worker process's consumer of the gateway events queue. */
export async function startWorker(
  config: WorkerConfig,
  logger: Logger,
  registry: HandlerRegistry = createBotHandlers(),
): Promise<ServiceLifecycle> {
  const redis = createRedisConnection({ url: config.REDIS_URL, connectionName: 'worker:commands' });
  const prisma = createPrismaClient({
    databaseUrl: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
  });
  const rest = new REST({
    api: config.DISCORD_API_URL,
    version: '10',
    timeout: config.DISCORD_REST_TIMEOUT_MS,
  });
  rest.setToken(config.DISCORD_TOKEN);

  await new EventSubscriptions(config.REDIS_KEY_PREFIX).register(redis, registry.subscribedEvents());

  const worker = new Worker<GatewayEventEnvelope>(
    QueueNames.gatewayEvents,
    createJobProcessor({ registry, rest, prisma, redis, logger, jobTimeoutMs: config.WORKER_JOB_TIMEOUT_MS }),
    {
      connection: createRedisConnection({ url: config.REDIS_URL, connectionName: 'worker:consumer' }),
      prefix: config.REDIS_KEY_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
    },
  );
  worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, event: job?.name, attempt: job?.attemptsMade, err: error }, 'job failed');
  });
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  await worker.waitUntilReady();
  logger.info(
    {
      concurrency: config.WORKER_CONCURRENCY,
      events: registry.subscribedEvents(),
      commands: registry.commands.map((command) => command.name),
    },
    'worker consuming gateway events',
  );

  return {
    stopIntake: () => worker.pause(true),
    async drain(deadline) {
      const { forced } = await closeWorkerWithin(worker, deadline);
      if (forced) logger.warn('drain deadline passed; unfinished jobs return to the queue');
    },
    async close() {
      await Promise.allSettled([redis.quit(), prisma.$disconnect()]);
    },
  };
}
