import { setTimeout as sleep } from 'node:timers/promises';
import type { InlineRetryPolicy } from '@dgc/shared';
import { type Job, UnrecoverableError } from 'bullmq';

type Processor<Data> = (job: Job<Data>, token?: string, signal?: AbortSignal) => Promise<void>;

/**
 * Runs `run` until it succeeds, with the policy's attempts and back-off. Unrecoverable errors and an
 * aborted `signal` (a stopping worker) end it at once; the last error is thrown.
 */
export async function retryWithPolicy(
  policy: InlineRetryPolicy,
  signal: AbortSignal | undefined,
  run: () => Promise<void>,
  onRetry: (attempt: number, error: unknown) => void,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await run();
      return;
    } catch (error) {
      if (error instanceof UnrecoverableError || attempt >= policy.attempts || signal?.aborted) throw error;
      onRetry(attempt, error);
      await sleep(policy.delayAfter(attempt), undefined, { signal }).catch(() => {
        throw error;
      });
    }
  }
}

/**
 * Retries a failed job inside the same BullMQ attempt, for ordered partitions: a BullMQ retry would park
 * the job in the delayed set and let the guild's next event run first. The partition stays blocked while
 * the job backs off — the price of ordering. After the last attempt the job goes to the failed set and the
 * partition moves on, so one poison event cannot stall its guilds forever.
 */
export function retryInPlace<Data>(
  policy: InlineRetryPolicy,
  processor: Processor<Data>,
  onRetry: (job: Job<Data>, attempt: number, error: unknown) => void,
): Processor<Data> {
  return (job, token, signal) =>
    retryWithPolicy(
      policy,
      signal,
      () => processor(job, token, signal),
      (attempt, error) => onRetry(job, attempt, error),
    );
}
