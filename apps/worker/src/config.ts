import {
  commonEnvShape,
  databaseEnvShape,
  discordEnvShape,
  type Environment,
  loadConfig,
  positiveInt,
} from '@dgc/shared';
import { z } from 'zod';

export const workerEnvSchema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  ...discordEnvShape,
  /** Jobs one worker process runs at once. */
  WORKER_CONCURRENCY: positiveInt(50),
  /** A handler still running after this is aborted (its AbortSignal fires) and the job fails for retry. */
  WORKER_JOB_TIMEOUT_MS: positiveInt(10_000),
  /** On SIGTERM, in-flight jobs get this long to finish; unfinished ones go back to the queue. */
  WORKER_DRAIN_DEADLINE_MS: positiveInt(15_000),
  /** Timeout for each Discord REST request. */
  DISCORD_REST_TIMEOUT_MS: positiveInt(15_000),
});

export type WorkerConfig = z.output<typeof workerEnvSchema>;

export function loadWorkerConfig(env?: Environment): WorkerConfig {
  return loadConfig('worker', workerEnvSchema, env);
}
