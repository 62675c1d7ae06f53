import {
  assertPostgresReachable,
  assertRedisReachable,
  createLogger,
  loadConfigOrExit,
  runService,
} from '@dgc/shared';
import { schedulerEnvSchema } from './config.js';
import { startScheduler } from './scheduler-app.js';

const config = loadConfigOrExit('scheduler', schedulerEnvSchema);
const logger = createLogger({ name: 'scheduler', level: config.LOG_LEVEL, format: config.LOG_FORMAT });

await runService({
  logger,
  drainDeadlineMs: config.SCHEDULER_DRAIN_DEADLINE_MS,
  preflight: [
    () => assertRedisReachable(config.REDIS_URL),
    () => assertPostgresReachable(config.DATABASE_URL),
  ],
  start: () => startScheduler(config, logger),
});
