import {
  commonEnvShape,
  databaseEnvShape,
  discordEnvShape,
  type Environment,
  isLaneName,
  type LaneName,
  laneNames,
  laneTopologyEnvShape,
  loadConfig,
  positiveInt,
  restEnvShape,
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

export const workerEnvSchema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  ...discordEnvShape,
  ...laneTopologyEnvShape,
  ...restEnvShape,
  /** Jobs one worker process runs at once, per lane unless WORKER_LANE_CONCURRENCY says otherwise. */
  WORKER_CONCURRENCY: positiveInt(50),
  /** Lanes this process consumes, so operators can scale them separately (e.g. `interactions`). */
  WORKER_LANES: lanes,
  /** Per-lane concurrency, e.g. `interactions=20,bulk=5`. */
  WORKER_LANE_CONCURRENCY: laneConcurrency,
  /** A handler still running after this is aborted (its AbortSignal fires) and the job fails for retry. */
  WORKER_JOB_TIMEOUT_MS: positiveInt(10_000),
  /**
   * A job's lock lasts this long and is renewed while it runs; a killed worker's jobs are handed to another
   * worker once it lapses (BullMQ's stalled-job check runs at the same interval).
   */
  WORKER_LOCK_DURATION_MS: positiveInt(30_000),
  /** On SIGTERM, in-flight jobs get this long to finish; unfinished ones go back to the queue. */
  WORKER_DRAIN_DEADLINE_MS: positiveInt(15_000),
  /** How long a handled event's id is remembered, so a redelivery (retry, stall, resume replay) is skipped. */
  WORKER_DEDUPE_TTL_MS: positiveInt(24 * 3_600_000),
  /**
   * The bot to run: a module whose default export registers handlers and commands on the registry it is
   * given (`defineBot`). Unset: the built-in example bot (/ping and the member-activity counter).
   */
  WORKER_BOT_MODULE: z.string().min(1, 'must be a module path').optional(),
  /** Timeout for each Discord REST request. */
  DISCORD_REST_TIMEOUT_MS: positiveInt(15_000),
  /**
   * CPU niceness of this process (0–19; higher yields more). Where event-lane workers share cores with an
   * interactions worker, a higher value for the event workers keeps bulk work from delaying interactions.
   */
  WORKER_NICE: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more (raising priority needs privileges)')
    .max(19, 'must be at most 19')
    .default(0),
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export function loadWorkerConfig(env?: Environment): WorkerConfig {
  return loadConfig('worker', workerEnvSchema, env);
}
