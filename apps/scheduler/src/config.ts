import {
  botEnvShape,
  commonEnvShape,
  databaseEnvShape,
  dedupeEnvShape,
  discordCdnEnvShape,
  discordEnvShape,
  type Environment,
  envGroup,
  loadConfig,
  positiveInt,
  restEnvShape,
  stateCacheEnvShape,
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
    'On SIGTERM, running jobs get this long (ms); a delayed job still running is claimed again once its lease passes.',
  ),
  SCHEDULER_PERIODIC_CONCURRENCY: variable(
    positiveInt(4),
    'Periodic job runs (bot.every and the pruning) one replica runs at once.',
  ),
  SCHEDULER_PERIODIC_LOCK_DURATION_MS: variable(
    // Shorter, and a busy event loop missing one renewal would hand a live run to another replica.
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1_000, 'must be at least 1000')
      .default(30_000),
    "A periodic run's lock in Redis, renewed every half of it while the run lives: a killed replica's run is run again by another replica at most one and a half of these after the kill (checked every half of it).",
  ),
  SCHEDULER_DELAYED_CONCURRENCY: variable(
    positiveInt(16),
    'Delayed jobs (jobs.at) one replica runs at once; it claims no more than it has room for.',
  ),
  SCHEDULER_DELAYED_BATCH_SIZE: variable(
    positiveInt(100),
    'Most delayed jobs claimed by one statement (FOR UPDATE SKIP LOCKED).',
  ),
  SCHEDULER_DELAYED_POLL_MS: variable(
    positiveInt(250),
    'Longest wait (ms) between looks for due delayed jobs. A replica sleeps until the earliest known job is due, so this bounds only how late a job scheduled to run sooner than that is seen.',
  ),
  SCHEDULER_DELAYED_LEASE_MS: variable(
    // Renewed every third of it: two renewals in a row may be missed (a busy event loop, a slow database)
    // before a live run is handed to another replica.
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1_000, 'must be at least 1000')
      .default(10_000),
    "A delayed job's claim lease (ms), renewed every third of it while the run lasts, whatever the job's timeout: a killed replica's jobs are claimed again within about this long of the kill.",
  ),
  SCHEDULER_DELAYED_RETRY_BACKOFF_MS: variable(
    positiveInt(1_000),
    "Delay (ms) before a failed delayed job's first retry, doubled for each later one.",
  ),
});

export const schedulerEnvSchema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  ...discordEnvShape,
  ...discordCdnEnvShape,
  ...restEnvShape,
  ...dedupeEnvShape,
  ...botEnvShape,
  ...schedulerOwnEnvShape,
  ...stateCacheEnvShape,
});

export type SchedulerConfig = z.output<typeof schedulerEnvSchema>;

export function loadSchedulerConfig(env?: Environment): SchedulerConfig {
  return loadConfig('scheduler', schedulerEnvSchema, env);
}
