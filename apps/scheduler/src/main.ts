import { assertPostgresReachable, runProcess } from '@dgc/shared';
import { schedulerEnvSchema } from './config.js';
import { startScheduler } from './scheduler-app.js';

await runProcess({
  name: 'scheduler',
  schema: schedulerEnvSchema,
  drainDeadlineMs: (config) => config.SCHEDULER_DRAIN_DEADLINE_MS,
  preflight: (config) => [() => assertPostgresReachable(config.DATABASE_URL)],
  start: startScheduler,
});
