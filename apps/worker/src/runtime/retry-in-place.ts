import { setTimeout as sleep } from 'node:timers/promises';
import type { InlineRetryPolicy, LaneName } from '@dgc/shared';
import { type Job, UnrecoverableError } from 'bullmq';
import type { DependencyBreaker } from './dependency-breaker.js';

type Processor<Data> = (job: Job<Data>, token?: string, signal?: AbortSignal) => Promise<void>;

/** The breaker of the lane being retried in place, and the lane it pauses. */
export interface InPlaceOutage {
  lane: LaneName;
  breaker: DependencyBreaker;
}

/**
 * Runs `run` until it succeeds, with the policy's attempts and back-off. Unrecoverable errors and an
 * aborted `signal` (a stopping worker) end it at once; the last error is thrown. With `outage`, a failure
 * because a dependency is unreachable trips the breaker and waits, holding its place, until the breaker
 * closes; it does not count as an attempt.
 */
export async function retryWithPolicy(
  policy: InlineRetryPolicy,
  signal: AbortSignal | undefined,
  run: () => Promise<void>,
  onRetry: (attempt: number, error: unknown) => void,
  outage?: InPlaceOutage,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await run();
      return;
    } catch (error) {
      if (outage && !signal?.aborted && outage.breaker.isOutage(error)) {
        outage.breaker.trip(outage.lane, error);
        await outage.breaker.whenClosed(signal).catch(() => {
          throw error;
        });
        attempt -= 1;
        continue;
      }
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
  outage?: InPlaceOutage,
): Processor<Data> {
  return (job, token, signal) =>
    retryWithPolicy(
      policy,
      signal,
      () => processor(job, token, signal),
      (attempt, error) => onRetry(job, attempt, error),
      outage,
    );
}
