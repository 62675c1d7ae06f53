import { assertPostgresReachable, assertRedisReachable, runProcess } from '@dgc/shared';
import { schedulerEnvSchema } from './config.js';
import { startScheduler } from './scheduler-app.js';

await runProcess({
  name: 'scheduler',
  schema: schedulerEnvSchema,
  drainDeadlineMs: (config) => config.SCHEDULER_DRAIN_DEADLINE_MS,
  preflight: (config) => [
    () => assertRedisReachable(config.REDIS_URL),
    () => assertPostgresReachable(config.DATABASE_URL),
  ],
  start: startScheduler,
});
