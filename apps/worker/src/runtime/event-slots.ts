/**
 * Caps how many events a lane runs at once in this process. It sits on the per-event path, so a free slot is
 * taken without a promise or a microtask hop (p-limit pays both on every call); waiters are woken in arrival
 * order and a finished task hands its slot straight to the next one.
 */
export class EventSlots {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`slot limit must be ≥ 1, got ${limit}`);
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get pending(): number {
    return this.#waiting.length - this.#head;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active < this.#limit) {
      this.#active += 1;
      return this.#runHolding(task);
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#runHolding(task));
  }

  async #runHolding<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    const next = this.#waiting[this.#head];
    if (next === undefined) {
      this.#active -= 1;
      return;
    }
    this.#head += 1;
    if (this.#head > 1_024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    next(); // the slot passes to the next waiter: `active` stays the same
  }
}
