import {
  commonEnvShape,
  databaseEnvShape,
  dedupeEnvShape,
  type Environment,
  envGroup,
  loadConfig,
  positiveInt,
  variable,
} from '@dgc/shared';
import { z } from 'zod';

/** The scheduler's own variables, each with the description the generated docs show. */
export const schedulerOwnEnvShape = envGroup('Scheduler', {
  SCHEDULER_PRUNE_EVERY_MS: variable(
    positiveInt(15 * 60_000),
    'How often (ms) handled_event rows older than DEDUPE_RETENTION_MS are pruned.',
  ),
  SCHEDULER_PRUNE_BATCH_SIZE: variable(
    positiveInt(5_000),
    'Rows deleted per statement when pruning, so pruning never holds long locks.',
  ),
  SCHEDULER_REPLICA_ID: variable(z.string().max(100).optional(), {
    description: 'Name of this replica in the run history (at most 100 characters).',
    unsetMeans: 'host:pid',
  }),
  SCHEDULER_DRAIN_DEADLINE_MS: variable(
    positiveInt(30_000),
    'On SIGTERM, the running job gets this long (ms).',
  ),
});

export const schedulerEnvSchema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  ...dedupeEnvShape,
  ...schedulerOwnEnvShape,
});

export type SchedulerConfig = z.output<typeof schedulerEnvSchema>;

export function loadSchedulerConfig(env?: Environment): SchedulerConfig {
  return loadConfig('scheduler', schedulerEnvSchema, env);
}
