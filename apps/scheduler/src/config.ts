import { commonEnvShape, databaseEnvShape, type Environment, loadConfig, positiveInt } from '@dgc/shared';
import { z } from 'zod';

export const schedulerEnvSchema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  /** How often handled-event keys older than the retention are pruned. */
  SCHEDULER_PRUNE_EVERY_MS: positiveInt(15 * 60_000),
  /** How long a handled event's key is kept; redeliveries older than this are no longer deduplicated. */
  HANDLED_EVENT_RETENTION_MS: positiveInt(24 * 3_600_000),
  /** Rows deleted per statement, so pruning never holds long locks. */
  SCHEDULER_PRUNE_BATCH_SIZE: positiveInt(5_000),
  /** Names this replica in the run history; defaults to host and pid. */
  SCHEDULER_REPLICA_ID: z.string().max(100).optional(),
  SCHEDULER_DRAIN_DEADLINE_MS: positiveInt(30_000),
});

export type SchedulerConfig = z.output<typeof schedulerEnvSchema>;

export function loadSchedulerConfig(env?: Environment): SchedulerConfig {
  return loadConfig('scheduler', schedulerEnvSchema, env);
}
