import {
  booleanFlag,
  botEnvShape,
  commonEnvShape,
  databaseEnvShape,
  dedupeEnvShape,
  discordCdnEnvShape,
  discordEnvShape,
  type Environment,
  envGroup,
  isLaneName,
  type LaneName,
  laneNames,
  laneTopologyEnvShape,
  loadConfig,
  nonNegativeInt,
  positiveInt,
  restEnvShape,
  stateCacheEnvShape,
  variable,
} from '@dgc/shared';
import { z } from 'zod';

const lanes = z
  .string()
  .default(laneNames.join(','))
  .transform((value, context): LaneName[] => {
    const names = value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !isLaneName(name));
    if (unknown.length > 0 || names.length === 0) {
      context.addIssue({
        code: 'custom',
        message: `must list lanes among ${laneNames.join(', ')} (got "${value}")`,
      });
      return z.NEVER;
    }
    return [...new Set(names)] as LaneName[];
  });

const laneConcurrency = z
  .string()
  .optional()
  .transform((value, context): Partial<Record<LaneName, number>> => {
    const limits: Partial<Record<LaneName, number>> = {};
    for (const part of (value ?? '')
      .split(',')
      .map((piece) => piece.trim())
      .filter(Boolean)) {
      const [lane, limit] = part.split('=').map((piece) => piece.trim());
      if (!lane || !isLaneName(lane) || !/^[1-9]\d*$/.test(limit ?? '')) {
        context.addIssue({
          code: 'custom',
          message: `"${part}": expected lane=concurrency, e.g. interactions=20`,
        });
        return z.NEVER;
      }
      limits[lane] = Number(limit);
    }
    return limits;
  });

/** The worker's own variables, each with the description the generated docs show. */
/** Kept under its former name: the group now lives in @dgc/shared, read by schedulers too. */
export const workerCacheEnvShape = stateCacheEnvShape;

export const workerOwnEnvShape = envGroup('Worker', {
  WORKER_CONCURRENCY: variable(
    positiveInt(50),
    'Jobs one worker process runs at once, per lane unless WORKER_LANE_CONCURRENCY says otherwise.',
  ),
  WORKER_LANES: variable(
    lanes,
    'Lanes this process consumes, so operators can scale them separately, e.g. interactions.',
  ),
  WORKER_LANE_CONCURRENCY: variable(laneConcurrency, {
    description: 'Per-lane concurrency overriding WORKER_CONCURRENCY, e.g. interactions=20,bulk=5.',
    unsetMeans: 'WORKER_CONCURRENCY for every lane',
  }),
  WORKER_JOB_TIMEOUT_MS: variable(
    positiveInt(10_000),
    'A handler running longer (ms) is aborted (its AbortSignal fires) and the job retried with back-off.',
  ),
  WORKER_LOCK_DURATION_MS: variable(
    positiveInt(30_000),
    "Job lock (ms), renewed while a job runs; a killed worker's jobs move to another worker once it lapses (BullMQ's stalled-job check runs at the same interval).",
  ),
  WORKER_DEDUPE_WAIT_REPLICAS: variable(
    nonNegativeInt(0),
    "Replicas that must hold a worker's dedupe claims before its handlers run, and its done marks before the job completes (Redis WAIT, one per batch at each end). 0 = no wait (a single Redis). With Sentinel set 1: a failover then loses no claim, so no handler runs twice for an event the promoted replica did not know was taken. Waits for no more replicas than the primary has connected (none right after a failover: counted and logged, not waited for). Not with REDIS_CLUSTER_NODES.",
  ),
  WORKER_DEDUPE_WAIT_TIMEOUT_MS: variable(
    positiveInt(1_000),
    'How long (ms) a worker waits for WORKER_DEDUPE_WAIT_REPLICAS; past it the handlers run anyway (counted in dgc_dedupe_unreplicated_total and logged), so a lost replica slows the lane instead of stopping it.',
  ),
  WORKER_DRAIN_DEADLINE_MS: variable(
    positiveInt(15_000),
    'On SIGTERM, jobs in flight get this long (ms) to finish; unfinished ones return to the queue.',
  ),
  DISCORD_REST_TIMEOUT_MS: variable(positiveInt(15_000), 'Timeout of each Discord REST request (ms).'),
  WORKER_NICE: variable(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more (raising priority needs privileges)')
      .max(19, 'must be at most 19')
      .default(0),
    'CPU niceness of this process (0-19; higher yields more). Event-lane workers sharing cores with an interactions worker: e.g. 10, so bulk work does not delay interactions.',
  ),
});

/** Slash command registration, at worker start or by `npm run commands -- register`. */
export const commandRegistrationEnvShape = envGroup('Command registration', {
  REGISTER_COMMANDS: variable(
    booleanFlag(false),
    "At start, each worker compares the bot's slash commands with Discord's and bulk-overwrites them only when they differ (also: npm run commands -- register).",
  ),
  REGISTER_COMMANDS_GUILD_ID: variable(
    z
      .string()
      .regex(/^\d{17,20}$/, 'must be a guild id (a snowflake)')
      .optional(),
    {
      description:
        "Register the commands as this guild's commands instead of global ones (they update at once: for development).",
      unsetMeans: 'global commands',
    },
  ),
});

export const workerEnvSchema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  ...discordEnvShape,
  ...discordCdnEnvShape,
  ...laneTopologyEnvShape,
  ...restEnvShape,
  ...dedupeEnvShape,
  ...botEnvShape,
  ...workerOwnEnvShape,
  ...workerCacheEnvShape,
  ...commandRegistrationEnvShape,
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export function loadWorkerConfig(env?: Environment): WorkerConfig {
  return loadConfig('worker', workerEnvSchema, env);
}
