import { setTimeout as sleep } from 'node:timers/promises';
import type { InlineRetryPolicy } from '@dgc/shared';
import { type Job, UnrecoverableError } from 'bullmq';

type Processor<Data> = (job: Job<Data>, token?: string, signal?: AbortSignal) => Promise<void>;

/**
 * Retries a failed job inside the same BullMQ attempt, for ordered partitions: a BullMQ retry would park
 * the job in the delayed set and let the guild's next event run first. The partition stays blocked while
 * the job backs off — the price of ordering. Unrecoverable errors and a stopping worker end it at once;
 * after the last attempt the job goes to the failed set and the partition moves on, so one poison event
 * cannot stall its guilds forever.
 */
export function retryInPlace<Data>(
  policy: InlineRetryPolicy,
  processor: Processor<Data>,
  onRetry: (job: Job<Data>, attempt: number, error: unknown) => void,
): Processor<Data> {
  return async (job, token, signal) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await processor(job, token, signal);
        return;
      } catch (error) {
        if (error instanceof UnrecoverableError || attempt >= policy.attempts || signal?.aborted) throw error;
        onRetry(job, attempt, error);
        await sleep(policy.delayAfter(attempt), undefined, { signal }).catch(() => {
          throw error;
        });
      }
    }
  };
}
