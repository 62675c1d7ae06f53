import { describe, expect, it } from 'vitest';
import { HandlerTimeoutError } from './job-errors.js';
import { HandlerDeadlines, runWithTimeout } from './run-with-timeout.js';

describe('runWithTimeout', () => {
  it('returns the task result when it finishes in time', async () => {
    await expect(runWithTimeout(1_000, undefined, async () => 42)).resolves.toBe(42);
  });

  it('aborts the signal and rejects when the task hangs past the timeout, even if it ignores the signal', async () => {
    let observedSignal: AbortSignal | undefined;
    const outcome = runWithTimeout(30, undefined, (cancellation) => {
      observedSignal = cancellation.signal;
      return new Promise<never>(() => {});
    });
    await expect(outcome).rejects.toBeInstanceOf(HandlerTimeoutError);
    expect(observedSignal?.aborted).toBe(true);
  });

  it('aborts when the parent signal aborts (worker forced to stop)', async () => {
    const parent = new AbortController();
    const outcome = runWithTimeout(10_000, parent.signal, () => new Promise<never>(() => {}));
    parent.abort(new Error('worker closing'));
    await expect(outcome).rejects.toThrow('worker closing');
  });

  it('aborts every running task of a job when the job signal aborts, and hands a late reader an aborted signal', async () => {
    const parent = new AbortController();
    const deadlines = new HandlerDeadlines(10_000, parent.signal);
    let signalRead: (signal: AbortSignal) => void = () => undefined;
    const lateSignal = new Promise<AbortSignal>((resolve) => {
      signalRead = resolve;
    });
    const first = deadlines.run(() => new Promise<never>(() => {}));
    const second = deadlines.run(async (cancellation) => {
      // Reads its signal only after the job was cancelled.
      await first.catch(() => undefined);
      signalRead(cancellation.signal);
      return new Promise<never>(() => {});
    });
    parent.abort(new Error('job cancelled'));
    await expect(first).rejects.toThrow('job cancelled');
    await expect(second).rejects.toThrow('job cancelled');
    expect((await lateSignal).aborted).toBe(true);
  });

  it('starts no task once the job signal has aborted', async () => {
    const parent = new AbortController();
    parent.abort(new Error('already closing'));
    let ran = false;
    await expect(
      runWithTimeout(10_000, parent.signal, async (cancellation) => {
        ran = true;
        return cancellation.signal.aborted;
      }),
    ).rejects.toThrow('already closing');
    expect(ran).toBe(false);
  });

  it('gives each handler of a job its own full timeout, counted from its own start', async () => {
    const deadlines = new HandlerDeadlines(80);
    const first = deadlines.run(() => new Promise<never>(() => {}));
    let releaseSecond: () => void = () => undefined;
    const startSecond = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    setTimeout(releaseSecond, 40);
    await startSecond;
    let secondSettled = false;
    const second = deadlines.run(() => new Promise<never>(() => {}));
    second
      .catch(() => undefined)
      .finally(() => {
        secondSettled = true;
      });
    const firstFailedAt = await first.catch((error: unknown) => {
      expect(error).toBeInstanceOf(HandlerTimeoutError);
      return performance.now();
    });
    // The first timed out; the second, started 40 ms later, still has time left.
    expect(secondSettled).toBe(false);
    await expect(second).rejects.toBeInstanceOf(HandlerTimeoutError);
    expect(performance.now() - firstFailedAt).toBeGreaterThanOrEqual(30);
  });

  it('keeps running tasks that finish after an earlier one timed out', async () => {
    const deadlines = new HandlerDeadlines(30);
    const hung = deadlines.run(() => new Promise<never>(() => {}));
    const quick = deadlines.run(async () => 'done');
    await expect(quick).resolves.toBe('done');
    await expect(hung).rejects.toBeInstanceOf(HandlerTimeoutError);
  });

  it('passes the task error through unchanged', async () => {
    const failure = new Error('database down');
    await expect(
      runWithTimeout(1_000, undefined, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });
});
