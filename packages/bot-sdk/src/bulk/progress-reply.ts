import type { Logger } from '@dgc/shared';
import type { ReplyBody } from '../commands/interaction-responder.js';
import type { BulkProgress } from './bulk.js';

/** What progress is shown in: a command's context (`editReply` edits its deferred reply). */
export interface ReplyEditor {
  editReply(body: ReplyBody): Promise<void>;
  logger?: Logger;
}

export interface ProgressReplyOptions {
  /** What each edit shows; default "done/total (n failed)". */
  render?(progress: BulkProgress): ReplyBody;
  /** Least time between two edits; default 1 s (one edit a second keeps well inside the webhook's limits). */
  minIntervalMs?: number;
}

const defaultRender = (progress: BulkProgress): ReplyBody =>
  `${progress.done + progress.failed}/${progress.total}` +
  (progress.failed > 0 ? ` (${progress.failed} failed)` : '') +
  (progress.skipped > 0 ? ` — cancelled, ${progress.skipped} skipped` : '');

/**
 * Turns a stream of progress reports into edits of an interaction's reply, at most one per interval: the
 * first report edits at once, later ones within the interval are folded into one trailing edit showing the
 * latest counts. Pass `update` as `bulk`'s `onProgress`, then `finish` with the summary.
 */
export class ProgressReply {
  readonly #target: ReplyEditor;
  readonly #render: (progress: BulkProgress) => ReplyBody;
  readonly #minIntervalMs: number;
  #lastEditAt = Number.NEGATIVE_INFINITY;
  #latest: BulkProgress | undefined;
  #timer: NodeJS.Timeout | undefined;
  #editing: Promise<void> = Promise.resolve();
  #finished = false;

  constructor(target: ReplyEditor, options: ProgressReplyOptions = {}) {
    this.#target = target;
    this.#render = options.render ?? defaultRender;
    this.#minIntervalMs = options.minIntervalMs ?? 1_000;
  }

  /** Bound, so it can be handed over as `onProgress: reply.update`. */
  readonly update = (progress: BulkProgress): void => {
    if (this.#finished) return;
    this.#latest = progress;
    if (this.#timer) return;
    const wait = this.#lastEditAt + this.#minIntervalMs - performance.now();
    if (wait <= 0) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), wait);
  };

  /** The last edit (e.g. the summary), sent once the interval since the previous edit has passed. */
  async finish(body: ReplyBody): Promise<void> {
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#editing;
    const wait = this.#lastEditAt + this.#minIntervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      await this.#target.editReply(body);
    } finally {
      this.#lastEditAt = performance.now();
    }
  }

  #flush(): void {
    this.#timer = undefined;
    if (!this.#latest || this.#finished) return;
    // The interval runs from the end of the previous edit, so edits arrive at least that far apart however
    // long one spent queued behind the shared limits; a waiting edit shows the counts of when it goes.
    this.#editing = this.#editing
      .then(async () => {
        const wait = this.#lastEditAt + this.#minIntervalMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const progress = this.#latest;
        if (!progress || this.#finished) return;
        this.#latest = undefined;
        try {
          await this.#target.editReply(this.#render(progress));
        } finally {
          this.#lastEditAt = performance.now();
        }
      })
      // Progress is advisory: a failed edit is logged, the operation goes on and the next edit may land.
      .catch((error: unknown) => this.#target.logger?.warn({ err: error }, 'progress edit failed'));
  }
}

/** `new ProgressReply(target, options)`: e.g. `bulk(ids, ban, { onProgress: progressReply(context).update })`. */
export function progressReply(target: ReplyEditor, options?: ProgressReplyOptions): ProgressReply {
  return new ProgressReply(target, options);
}
