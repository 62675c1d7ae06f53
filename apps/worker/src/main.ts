import { assertPostgresReachable, runProcess } from '@dgc/shared';
import { workerEnvSchema } from './config.js';
import { startWorker } from './worker-app.js';

await runProcess({
  name: 'worker',
  schema: workerEnvSchema,
  secrets: (config) => [config.DISCORD_TOKEN],
  drainDeadlineMs: (config) => config.WORKER_DRAIN_DEADLINE_MS,
  preflight: (config) => [() => assertPostgresReachable(config.DATABASE_URL)],
  start: (config, logger, tasks, metrics) => startWorker(config, logger, tasks, { metrics }),
});
