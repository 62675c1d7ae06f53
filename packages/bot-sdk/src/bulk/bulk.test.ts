import { describe, expect, it } from 'vitest';
import { type BulkProgress, bulk } from './bulk.js';

/** A call whose completion the test decides, to observe what runs concurrently. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('bulk', () => {
  it('reports every item: done with its result, failed with the Discord error', async () => {
    const discordError = Object.assign(new Error('Unknown Member'), { status: 404, code: 10007 });
    const report = await bulk([1, 2, 3, 4], async (item) => {
      if (item % 2 === 0) throw discordError;
      return item * 10;
    });
    expect(report.items).toEqual([
      { item: 1, status: 'done', result: 10 },
      { item: 2, status: 'failed', error: { message: 'Unknown Member', status: 404, code: 10007 } },
      { item: 3, status: 'done', result: 30 },
      { item: 4, status: 'failed', error: { message: 'Unknown Member', status: 404, code: 10007 } },
    ]);
    expect(report).toMatchObject({ total: 4, done: 2, failed: 2, skipped: 0, cancelled: false });
  });

  it('runs at most `concurrency` items at once', async () => {
    let running = 0;
    let most = 0;
    const gates = Array.from({ length: 10 }, deferred);
    const done = bulk(
      gates,
      async (gate) => {
        running += 1;
        most = Math.max(most, running);
        await gate.promise;
        running -= 1;
      },
      { concurrency: 3 },
    );
    for (const gate of gates) {
      await Promise.resolve();
      gate.resolve();
    }
    await done;
    expect(most).toBe(3);
  });

  it('starts nothing after cancel, lets items in flight finish, and skips the rest', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const progress: BulkProgress[] = [];
    const report = await bulk(
      Array.from({ length: 20 }, (_, index) => index),
      async (item) => {
        started.push(item);
        if (item === 4) controller.abort();
        await Promise.resolve();
        return item;
      },
      { concurrency: 2, signal: controller.signal, onProgress: (update) => progress.push(update) },
    );
    expect(report.cancelled).toBe(true);
    // Item 4 cancels as it starts: it finishes, item 3 (in flight beside it) too, and nothing else starts.
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(report.done).toBe(5);
    expect(report.skipped).toBe(15);
    expect(report.items.slice(5).every((outcome) => outcome.status === 'skipped')).toBe(true);
    expect(progress.at(-1)).toEqual({ total: 20, done: 5, failed: 0, skipped: 15 });
  });

  it('reports progress after each item', async () => {
    const progress: BulkProgress[] = [];
    await bulk(['a', 'b'], async () => {}, { onProgress: (update) => progress.push(update) });
    expect(progress.map((update) => update.done)).toEqual([1, 2]);
  });
});
