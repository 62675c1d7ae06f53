import { createLogger } from '@dgc/shared';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { DependencyBreaker } from './dependency-breaker.js';
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

describe('retryInPlace through a dependency outage', () => {
  class OutageError extends Error {}
  /** Down for the first `downForProbes` probes, then up. */
  const probeDownFor = (downForProbes: number) => {
    let probes = 0;
    return {
      dependency: 'postgres',
      isOutage: (error: unknown) => error instanceof OutageError,
      async check() {
        probes += 1;
        if (probes <= downForProbes) throw new Error('connection refused');
      },
    };
  };

  it('waits the outage out in place without spending attempts, then runs again', async () => {
    const breaker = new DependencyBreaker({
      probe: probeDownFor(3),
      logger: createLogger({ name: 'test', level: 'silent' }),
      backoff: { firstMs: 1, maxMs: 2 },
    });
    let calls = 0;
    const retries: number[] = [];
    const run = retryInPlace(
      policy,
      async () => {
        calls += 1;
        // Fails with the outage more often than the policy has attempts, then once for its own reasons.
        if (calls <= 5) throw new OutageError('database unreachable');
        if (calls === 6) throw new Error('transient');
      },
      (_job, attempt) => retries.push(attempt),
      { lane: 'events', breaker },
    );
    await run(job);
    expect(calls).toBe(7);
    expect(retries).toEqual([1]);
    expect(breaker.isOpen).toBe(false);
  });

  it('a stopping worker ends the wait with the outage error', async () => {
    const breaker = new DependencyBreaker({
      probe: probeDownFor(Number.POSITIVE_INFINITY),
      logger: createLogger({ name: 'test', level: 'silent' }),
      backoff: { firstMs: 1, maxMs: 2 },
    });
    const stopping = new AbortController();
    const run = retryInPlace(
      policy,
      async () => {
        throw new OutageError('database unreachable');
      },
      () => {},
      { lane: 'events', breaker },
    );
    const ran = run(job, undefined, stopping.signal);
    await expect.poll(() => breaker.isOpen).toBe(true);
    stopping.abort();
    await expect(ran).rejects.toBeInstanceOf(OutageError);
    breaker.stop();
  });
});
