import type { z } from 'zod';
import type { CommonEnv } from '../config/common-env.js';
import { readConfigOrExit } from '../config/load-config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { passwordsInUrls } from '../logging/secret-scrubber.js';
import { startMetricsServer } from '../observability/metrics-server.js';
import { ProcessMetrics } from '../observability/process-metrics.js';
import { createRedisConnection } from '../redis/redis-connection.js';
import { assertRedisKeepsData } from '../redis/redis-settings-check.js';
import { redisTargetOrExit } from '../redis/redis-target.js';
import { assertRedisReachable } from '../services/check-services.js';
import { EventLoopMonitor } from './event-loop-monitor.js';
import { ProcessRegistry } from './process-registry.js';
import { runService, type ServiceLifecycle } from './service-lifecycle.js';
import { TaskMonitor } from './task-monitor.js';

export interface ProcessDefinition<Schema extends z.ZodType<CommonEnv>> {
  /** The process role: names its configuration errors and its log lines. */
  name: string;
  schema: Schema;
  /**
   * Literal secrets in the configuration to scrub from every log line. The passwords of URLs in the
   * configuration (REDIS_URL, DATABASE_URL) are scrubbed without being listed here.
   */
  secrets?: (config: z.output<Schema>) => string[];
  drainDeadlineMs: (config: z.output<Schema>) => number;
  /** Checks of backing services besides Redis (which every process checks: reachable, keeps its keys). */
  preflight?: (config: z.output<Schema>) => (() => Promise<void>)[];
  /** `stopping` aborts when a stop is asked for during the start (see `RunServiceOptions.start`). */
  start: (
    config: z.output<Schema>,
    logger: Logger,
    tasks: TaskMonitor,
    metrics: ProcessMetrics,
    stopping: AbortSignal,
  ) => Promise<ServiceLifecycle>;
}

/** An entry point: validated configuration (or exit 78), a logger, preflight checks, start, graceful stop. */
export async function runProcess<Schema extends z.ZodType<CommonEnv>>(
  definition: ProcessDefinition<Schema>,
): Promise<void> {
  const { config, warnings } = readConfigOrExit(definition.name, definition.schema);
  const redisTarget = redisTargetOrExit(definition.name, config);
  const logger = createLogger({
    name: definition.name,
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    secrets: [
      ...(definition.secrets?.(config) ?? []),
      ...passwordsInUrls(Object.values(config)),
      ...[config.REDIS_PASSWORD, config.REDIS_SENTINEL_PASSWORD].filter((secret) => secret !== undefined),
    ],
  });
  for (const warning of warnings) logger.warn(warning);
  new EventLoopMonitor({ logger, warnAboveMs: config.EVENT_LOOP_WARN_MS }).start();
  const tasks = new TaskMonitor({ logger });
  const metrics = new ProcessMetrics(definition.name, tasks);
  await runService({
    logger,
    drainDeadlineMs: definition.drainDeadlineMs(config),
    preflight: [
      async () => {
        await assertRedisReachable(redisTarget);
        await assertRedisKeepsData(redisTarget, logger);
      },
      ...(definition.preflight?.(config) ?? []),
    ],
    start: async (stopping) => {
      // Served before the start: a gateway's start waits for its shards, which can take minutes in an
      // identify queue, and a liveness probe that finds no /healthz meanwhile restarts the process in a
      // loop. /readyz answers 503 (`started`) until the start is over.
      let started = false;
      metrics.addReadinessCheck('started', async () => started);
      const redis = createRedisConnection({
        target: redisTarget,
        connectionName: `${definition.name}:registry`,
      });
      metrics.addReadinessCheck('redis', async () => (await redis.ping()) === 'PONG');
      const metricsServer =
        config.METRICS_PORT > 0
          ? await startMetricsServer({
              host: config.METRICS_HOST,
              port: config.METRICS_PORT,
              metrics,
              logger,
            })
          : undefined;
      let service: ServiceLifecycle;
      try {
        service = await definition.start(config, logger, tasks, metrics, stopping);
      } catch (error) {
        await metricsServer?.close().catch(() => {});
        redis.disconnect();
        throw error;
      }
      started = true;
      // The process is listed (with its background tasks) for operators' tools while it runs.
      const registry = new ProcessRegistry({
        redis,
        keyPrefix: config.REDIS_KEY_PREFIX,
        role: definition.name,
        tasks,
      }).start();
      return {
        ...service,
        async close() {
          await service.close();
          await tasks.stop();
          await registry
            .remove()
            .catch((error: unknown) => logger.warn({ err: error }, 'could not unlist this process'));
          await redis.quit().catch(() => {});
          await metricsServer?.close();
        },
      };
    },
  });
}
