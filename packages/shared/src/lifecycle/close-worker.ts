import type { Worker } from 'bullmq';

/**
 * Closes a BullMQ worker, letting active jobs finish until `deadline` aborts. Past the deadline the worker
 * is force-closed: its unfinished jobs keep their locks only until they expire, then BullMQ's stalled-job
 * check hands them to another worker, so nothing is lost and this process does not hang.
 * Returns whether the deadline forced the close.
 */
export async function closeWorkerWithin(worker: Worker, deadline: AbortSignal): Promise<{ forced: boolean }> {
  const closed = worker.close().then(() => 'closed' as const);
  const deadlinePassed = new Promise<'deadline'>((resolve) => {
    if (deadline.aborted) resolve('deadline');
    else deadline.addEventListener('abort', () => resolve('deadline'), { once: true });
  });
  if ((await Promise.race([closed, deadlinePassed])) === 'closed') return { forced: false };
  await worker.close(true);
  return { forced: true };
}
