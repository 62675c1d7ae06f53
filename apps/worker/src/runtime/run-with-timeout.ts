import { HandlerTimeoutError } from './job-errors.js';

/**
 * Runs `task` with a signal that aborts after `timeoutMs` or when `parent` aborts, and rejects as soon as
 * either happens even if the task ignores its signal — a hung handler must not hold a concurrency slot.
 * This runs once per event: a task that finishes only removes listeners (aborting its controller would
 * build a DOMException with a stack trace for every event).
 */
export async function runWithTimeout<T>(
  timeoutMs: number,
  parent: AbortSignal | undefined,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  if (parent?.aborted) controller.abort(parent.reason);
  let rejectAborted: (reason: unknown) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    rejectAborted = reject;
  });
  const onAbort = () => rejectAborted(controller.signal.reason);
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(
    () => controller.abort(new HandlerTimeoutError(`handler did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  controller.signal.addEventListener('abort', onAbort, { once: true });
  parent?.addEventListener('abort', onParentAbort, { once: true });
  try {
    if (controller.signal.aborted) onAbort();
    return await Promise.race([task(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
    controller.signal.removeEventListener('abort', onAbort);
  }
}
