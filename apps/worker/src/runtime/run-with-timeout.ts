import { HandlerTimeoutError } from './job-errors.js';

/**
 * Runs `task` with a signal that aborts after `timeoutMs` or when `parent` aborts, and rejects as soon as
 * either happens even if the task ignores its signal — a hung handler must not hold a concurrency slot.
 */
export async function runWithTimeout<T>(
  timeoutMs: number,
  parent: AbortSignal | undefined,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new HandlerTimeoutError(`handler did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  try {
    const aborted = new Promise<never>((_, reject) => {
      const rejectWithReason = () => reject(controller.signal.reason);
      if (controller.signal.aborted) rejectWithReason();
      else controller.signal.addEventListener('abort', rejectWithReason, { once: true });
    });
    return await Promise.race([task(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
    if (!controller.signal.aborted) controller.abort(); // releases the race listener
  }
}
