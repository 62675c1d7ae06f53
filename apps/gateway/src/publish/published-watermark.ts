import type { WriteReceipt } from './batching-publisher.js';

/**
 * The highest sequence of a shard below which every dispatch is safely in Redis (or was not forwarded at
 * all). Dispatches are accepted in sequence order but confirmed out of order (lanes are written
 * separately), so the watermark advances over a queue of accepted sequences as its head is confirmed.
 * Resuming from the watermark replays everything that might not have reached Redis; anything replayed
 * twice is caught by the workers' dedupe.
 */
export class PublishedWatermark {
  /** Accepted dispatches from `#head` on; the slots before it are emptied as the watermark passes them. */
  #accepted: (AcceptedDispatch | undefined)[] = [];
  #head = 0;
  #watermark = 0;
  /** Set by `holdAt`: this watermark no longer moves (its shard is about to resume from that sequence). */
  #held = false;
  readonly #onAdvance: (() => void) | undefined;
  /** Shared by every ticket of this shard, so accepting a dispatch builds no closure. */
  readonly #advance = () => this.#advanceOverConfirmed();

  /** `onAdvance` runs whenever the watermark moves forward (the session store marks the shard dirty). */
  constructor(onAdvance?: () => void) {
    this.#onAdvance = onAdvance;
  }

  get value(): number {
    return this.#watermark;
  }

  /** A dispatch that is not forwarded (filtered, shed) counts as confirmed at once. */
  accept(sequence: number): WriteReceipt {
    const entry = new AcceptedDispatch(sequence, this.#advance);
    this.#accepted.push(entry);
    return entry;
  }

  skip(sequence: number): void {
    this.accept(sequence).confirm();
  }

  /** A new session starts from its own sequence numbers. */
  reset(sequence = 0): void {
    this.#accepted = [];
    this.#head = 0;
    this.#watermark = sequence;
    this.#held = false;
  }

  /**
   * Moves the watermark back to `sequence` and keeps it there: Redis lost what this shard wrote after it,
   * and the shard is reconnecting to resume from it. Dispatches still arriving on the old connection are
   * written (duplicates of the replay, which workers' dedupe drops) but must not move the watermark over
   * the gap. The shard's next connection gets a new watermark.
   */
  holdAt(sequence: number): void {
    this.reset(sequence);
    this.#held = true;
  }

  #advanceOverConfirmed(): void {
    if (this.#held) return;
    const before = this.#watermark;
    while (this.#head < this.#accepted.length && this.#accepted[this.#head]?.confirmed) {
      this.#watermark = Math.max(this.#watermark, this.#accepted[this.#head]?.sequence ?? 0);
      // A passed ticket is let go at once: kept until the next compaction, every ticket outlived a
      // young-generation collection or two and was copied into the old generation.
      this.#accepted[this.#head] = undefined;
      this.#head += 1;
    }
    // Compact now and then instead of shifting on every confirmation.
    if (this.#head > 1_024 && this.#head * 2 > this.#accepted.length) {
      this.#accepted = this.#accepted.slice(this.#head);
      this.#head = 0;
    }
    if (this.#watermark > before) this.#onAdvance?.();
  }
}

class AcceptedDispatch implements WriteReceipt {
  readonly sequence: number;
  confirmed = false;
  readonly #advance: () => void;

  constructor(sequence: number, advance: () => void) {
    this.sequence = sequence;
    this.#advance = advance;
  }

  confirm(): void {
    this.confirmed = true;
    this.#advance();
  }
}
