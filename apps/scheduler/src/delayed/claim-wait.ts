/**
 * How long the claim loop sleeps after a claim that left room: until the next job falls due (or a lease
 * passes), so a known job starts at its time rather than at the next poll; but no longer than `pollMs`,
 * the longest a job scheduled since this look (due sooner than the one known) can go unseen; and no
 * shorter than `minMs`, so rows that are due but locked by another replica's claim in flight are not
 * polled in a tight loop.
 */
export function claimWaitMs(msUntilNextClaimable: number | null, pollMs: number, minMs: number): number {
  if (msUntilNextClaimable === null) return pollMs;
  return Math.min(pollMs, Math.max(minMs, msUntilNextClaimable));
}

/** A sleep that ends early on `wake()`; a wake with nobody asleep is dropped. */
export class LoopWakeup {
  #wake: (() => void) | undefined;

  /** Resolves after `ms` (never, for Infinity) or at the next `wake()`. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.#end(resolve), ms) : undefined;
      this.#wake = () => {
        clearTimeout(timer);
        this.#end(resolve);
      };
    });
  }

  wake(): void {
    this.#wake?.();
  }

  #end(resolve: () => void): void {
    this.#wake = undefined;
    resolve();
  }
}
