import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '@dgc/shared';

/**
 * V8's full collection. Node sends V8 no idle notifications, so after a GUILD_CREATE burst the garbage the
 * cache writes left in the old generation (ioredis command objects promoted while pointed at from older
 * garbage) stays there, with its pages in RSS, until the heap grows enough for V8 to collect on its own.
 * `--expose-gc` set at run time applies to contexts made afterwards, so a fresh context hands out `gc`.
 */
function fullCollection(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const collect: unknown = runInNewContext('gc');
    return typeof collect === 'function' ? (collect as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export interface HeapCompactionOptions {
  /** Cache entries written since the last collection that make a burst worth collecting after (0: never). */
  afterEntries: number;
  /** Least time between two collections: a steady stream of changes must not collect again and again. */
  cooldownMs: number;
  logger: Logger;
  /** The collection to run (tests); V8's full collection by default. */
  collect?: () => void;
}

/**
 * Runs one full collection once a burst of cache writes has been written and the writer is idle: the
 * process gives back what the burst left behind instead of holding it at its peak. One pause (tens of ms
 * for a gateway's live heap) once per burst, never while writes wait, at most once per cooldown.
 */
export class HeapCompaction {
  readonly #options: HeapCompactionOptions;
  #collect: (() => void) | undefined | null = null;
  #entriesAtLast = 0;
  #lastAt = 0;

  constructor(options: HeapCompactionOptions) {
    this.#options = options;
    if (options.collect) this.#collect = options.collect;
  }

  /** `writtenEntries`: cache entries written since start; `idle`: nothing waits to be written. */
  check(writtenEntries: number, idle: boolean): void {
    const { afterEntries, cooldownMs, logger } = this.#options;
    if (afterEntries <= 0 || !idle) return;
    if (writtenEntries - this.#entriesAtLast < afterEntries) return;
    if (Date.now() - this.#lastAt < cooldownMs) return;
    if (this.#collect === null) this.#collect = fullCollection();
    this.#entriesAtLast = writtenEntries;
    this.#lastAt = Date.now();
    const collect = this.#collect;
    if (!collect) return;
    const before = process.memoryUsage();
    const started = performance.now();
    collect();
    const pauseMs = Math.round(performance.now() - started);
    const after = process.memoryUsage();
    const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
    logger.info(
      {
        pauseMs,
        heapUsedMiB: [mib(before.heapUsed), mib(after.heapUsed)],
        rssMiB: [mib(before.rss), mib(after.rss)],
      },
      'collected the heap after a burst of cache writes',
    );
  }
}
