import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { retryInPlace } from './retry-in-place.js';

const job = { id: '1', name: 'MESSAGE_CREATE' } as Job<unknown>;
const policy = { attempts: 3, delayAfter: () => 1 };

describe('retryInPlace', () => {
  it('retries a failing job within the same attempt until it succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const run = retryInPlace(
      policy,
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('transient');
      },
      (_job, attempt) => retries.push(attempt),
    );
    await run(job);
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    const run = retryInPlace(
      policy,
      async () => {
        calls += 1;
        throw new Error(`failure ${calls}`);
      },
      () => {},
    );
    await expect(run(job)).rejects.toThrow('failure 3');
  });

  it('does not retry unrecoverable errors or a stopping worker', async () => {
    let calls = 0;
    const unrecoverable = retryInPlace(
      policy,
      async () => {
        calls += 1;
        throw new UnrecoverableError('bad input');
      },
      () => {},
    );
    await expect(unrecoverable(job)).rejects.toThrow('bad input');
    expect(calls).toBe(1);

    const stopping = new AbortController();
    stopping.abort();
    const aborted = retryInPlace(
      policy,
      async () => {
        calls += 1;
        throw new Error('cancelled');
      },
      () => {},
    );
    await expect(aborted(job, undefined, stopping.signal)).rejects.toThrow('cancelled');
    expect(calls).toBe(2);
  });
});
