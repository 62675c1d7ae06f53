/**
 * The highest sequence of a shard below which every dispatch is safely in Redis (or was not forwarded at
 * all). Dispatches are accepted in sequence order but confirmed out of order (lanes are written
 * separately), so the watermark advances over a queue of accepted sequences as its head is confirmed.
 * Resuming from the watermark replays everything that might not have reached Redis; anything replayed
 * twice is caught by the workers' dedupe.
 */
export class PublishedWatermark {
  #accepted: { sequence: number; confirmed: boolean }[] = [];
  #head = 0;
  #watermark = 0;

  get value(): number {
    return this.#watermark;
  }

  /** A dispatch that is not forwarded (filtered, shed) counts as confirmed at once. */
  accept(sequence: number): { confirm(): void } {
    const entry = { sequence, confirmed: false };
    this.#accepted.push(entry);
    return {
      confirm: () => {
        entry.confirmed = true;
        this.#advance();
      },
    };
  }

  skip(sequence: number): void {
    this.accept(sequence).confirm();
  }

  /** A new session starts from its own sequence numbers. */
  reset(sequence = 0): void {
    this.#accepted = [];
    this.#head = 0;
    this.#watermark = sequence;
  }

  #advance(): void {
    while (this.#head < this.#accepted.length && this.#accepted[this.#head]?.confirmed) {
      this.#watermark = Math.max(this.#watermark, this.#accepted[this.#head]?.sequence ?? 0);
      this.#head += 1;
    }
    // Compact now and then instead of shifting on every confirmation.
    if (this.#head > 1_024 && this.#head * 2 > this.#accepted.length) {
      this.#accepted = this.#accepted.slice(this.#head);
      this.#head = 0;
    }
  }
}
