/** The run took longer than its timeout; it is counted failed and retried like any failure. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
}

/**
 * Runs `task` with a signal that fires when `timeoutMs` passes or `parent` aborts, and settles then even if
 * the task ignores its signal: a hung job must not hold a concurrency slot (or its lease) forever.
 */
export async function runWithDeadline<T>(
  timeoutMs: number,
  parent: AbortSignal | undefined,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const stop = (reason: unknown) => controller.abort(reason);
  const timer = setTimeout(
    () => stop(new JobTimeoutError(`job did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onParentAbort = () => stop(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  if (parent?.aborted) onParentAbort();
  try {
    return await Promise.race([
      task(controller.signal),
      new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
