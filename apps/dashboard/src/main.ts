import { runProcess } from '@dgc/shared';
import { dashboardEnvSchema } from './config.js';
import { startDashboard } from './dashboard-app.js';

await runProcess({
  name: 'dashboard',
  schema: dashboardEnvSchema,
  secrets: (config) => (config.DASHBOARD_TOKEN ? [config.DASHBOARD_TOKEN] : []),
  drainDeadlineMs: (config) => config.DASHBOARD_DRAIN_DEADLINE_MS,
  start: (config, logger) => startDashboard(config, logger),
});
