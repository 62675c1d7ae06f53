/** Why one item failed: Discord's answer when it came from Discord (status and JSON error code). */
export interface BulkItemError {
  message: string;
  /** HTTP status of Discord's answer, when there was one. */
  status?: number;
  /** Discord's JSON error code (e.g. 10007 Unknown Member), when there was one. */
  code?: number;
}

export type BulkItemOutcome<Item, Result> =
  | { item: Item; status: 'done'; result: Result }
  | { item: Item; status: 'failed'; error: BulkItemError }
  /** Not started because the operation was cancelled first. */
  | { item: Item; status: 'skipped' };

export interface BulkProgress {
  total: number;
  done: number;
  failed: number;
  /** Counted once the operation is cancelled: every item that will not start. */
  skipped: number;
}

export interface BulkReport<Item, Result> extends BulkProgress {
  /** One outcome per item, in the items' order. */
  items: BulkItemOutcome<Item, Result>[];
  cancelled: boolean;
  durationMs: number;
}

export interface BulkOptions {
  /**
   * Items in flight at once; default 5. The REST client waits for the cluster's shared limits before every
   * call, so a higher value never draws a 429: it only keeps the route's bucket full.
   */
  concurrency?: number;
  /** Aborting it starts no further item; items in flight finish and are reported. */
  signal?: AbortSignal;
  /** Called after every item settles (and once when cancelled), with the counts so far. */
  onProgress?(progress: BulkProgress): void;
}

/**
 * Runs `operation` over every item, `concurrency` at a time, and reports each item's outcome instead of
 * stopping at the first failure: a mass ban where three members left already bans the others and says
 * which three failed and why. Cancellable between items.
 */
export async function bulk<Item, Result>(
  items: readonly Item[],
  operation: (item: Item, index: number) => Promise<Result>,
  options: BulkOptions = {},
): Promise<BulkReport<Item, Result>> {
  const concurrency = options.concurrency ?? 5;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('concurrency must be ≥ 1');
  const startedAt = performance.now();
  const outcomes: BulkItemOutcome<Item, Result>[] = new Array(items.length);
  const progress: BulkProgress = { total: items.length, done: 0, failed: 0, skipped: 0 };
  let next = 0;
  const report = () => options.onProgress?.({ ...progress });

  const lane = async () => {
    while (next < items.length && !options.signal?.aborted) {
      const index = next;
      next += 1;
      const item = items[index] as Item;
      try {
        outcomes[index] = { item, status: 'done', result: await operation(item, index) };
        progress.done += 1;
      } catch (error) {
        outcomes[index] = { item, status: 'failed', error: bulkItemError(error) };
        progress.failed += 1;
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));

  const cancelled = next < items.length;
  for (let index = next; index < items.length; index += 1) {
    outcomes[index] = { item: items[index] as Item, status: 'skipped' };
    progress.skipped += 1;
  }
  if (cancelled) report();
  return { ...progress, items: outcomes, cancelled, durationMs: performance.now() - startedAt };
}

/** Discord's answer as @discordjs/rest reports it (DiscordAPIError: status and code; HTTPError: status). */
function bulkItemError(error: unknown): BulkItemError {
  if (!(error instanceof Error)) return { message: String(error) };
  const { status, code } = error as { status?: unknown; code?: unknown };
  return {
    message: error.message,
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof code === 'number' ? { code } : {}),
  };
}
