import {
  assertPostgresReachable,
  assertRedisReachable,
  createLogger,
  loadConfigOrExit,
  runService,
} from '@dgc/shared';
import { workerEnvSchema } from './config.js';
import { startWorker } from './worker-app.js';

const config = loadConfigOrExit('worker', workerEnvSchema);
const logger = createLogger({
  name: 'worker',
  level: config.LOG_LEVEL,
  format: config.LOG_FORMAT,
  secrets: [config.DISCORD_TOKEN],
});

await runService({
  logger,
  drainDeadlineMs: config.WORKER_DRAIN_DEADLINE_MS,
  preflight: [
    () => assertRedisReachable(config.REDIS_URL),
    () => assertPostgresReachable(config.DATABASE_URL),
  ],
  start: () => startWorker(config, logger),
});
