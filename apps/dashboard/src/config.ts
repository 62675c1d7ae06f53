import {
  commonEnvShape,
  databaseEnvShape,
  type Environment,
  envGroup,
  loadConfig,
  positiveInt,
  variable,
} from '@dgc/shared';
import { z } from 'zod';

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export const dashboardEnvShape = {
  ...commonEnvShape,
  // The jobs' run history (scheduled_job_run, delayed_job) is read from PostgreSQL.
  ...databaseEnvShape,
  ...envGroup('Dashboard', {
    DASHBOARD_HOST: variable(
      z.string().min(1).default('127.0.0.1'),
      'Address the dashboard binds to; any non-loopback address requires DASHBOARD_TOKEN.',
    ),
    DASHBOARD_PORT: variable(positiveInt(9300), 'Port of the dashboard.'),
    DASHBOARD_TOKEN: variable(z.string().min(16, 'must be at least 16 characters').optional(), {
      description:
        'Token every request must carry (Authorization: Bearer …, or ?token=… once, then kept in an HttpOnly cookie); at least 16 characters. Required when DASHBOARD_HOST is not loopback.',
      secret: true,
      unsetMeans: 'no token (loopback only)',
    }),
    DASHBOARD_REFRESH_MS: variable(positiveInt(1_000), 'How often (ms) open pages receive a fresh overview.'),
    DASHBOARD_DRAIN_DEADLINE_MS: variable(positiveInt(5_000), 'Graceful stop deadline (ms).'),
  }),
};

export const dashboardEnvSchema = z
  .object(dashboardEnvShape)
  .refine((config) => loopbackHosts.has(config.DASHBOARD_HOST) || config.DASHBOARD_TOKEN !== undefined, {
    path: ['DASHBOARD_TOKEN'],
    message: 'is required when DASHBOARD_HOST is not a loopback address',
  });

export type DashboardConfig = z.output<typeof dashboardEnvSchema>;

export function loadDashboardConfig(env?: Environment): DashboardConfig {
  return loadConfig('dashboard', dashboardEnvSchema, env);
}

export function isLoopback(host: string): boolean {
  return loopbackHosts.has(host);
}
