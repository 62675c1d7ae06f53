import { describe, expect, it } from 'vitest';
import { HandlerTimeoutError } from './job-errors.js';
import { runWithTimeout } from './run-with-timeout.js';

describe('runWithTimeout', () => {
  it('returns the task result when it finishes in time', async () => {
    await expect(runWithTimeout(1_000, undefined, async () => 42)).resolves.toBe(42);
  });

  it('aborts the signal and rejects when the task hangs past the timeout, even if it ignores the signal', async () => {
    let observedSignal: AbortSignal | undefined;
    const outcome = runWithTimeout(30, undefined, (signal) => {
      observedSignal = signal;
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

  it('passes the task error through unchanged', async () => {
    const failure = new Error('database down');
    await expect(
      runWithTimeout(1_000, undefined, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });
});
