import { commonEnvShape, type Environment, loadConfig, positiveInt } from '@dgc/shared';
import { z } from 'zod';

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export const dashboardEnvShape = {
  ...commonEnvShape,
  /** Address the dashboard binds to: loopback by default; any other address requires DASHBOARD_TOKEN. */
  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  DASHBOARD_PORT: positiveInt(9300),
  /** Required when DASHBOARD_HOST is not loopback: every request must carry it (Bearer or ?token=). */
  DASHBOARD_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How often the live view is pushed to open pages. */
  DASHBOARD_REFRESH_MS: positiveInt(1_000),
  DASHBOARD_DRAIN_DEADLINE_MS: positiveInt(5_000),
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
