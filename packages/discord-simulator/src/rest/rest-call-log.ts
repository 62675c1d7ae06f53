import type { RestCallRecord } from './rest-call-record.js';

/** The REST requests received, in order, bounded: past `kept` the oldest half is dropped. */
export class RestCallLog {
  #calls: RestCallRecord[] = [];
  #received = 0;
  readonly #kept: number;

  constructor(kept: number) {
    this.#kept = kept;
  }

  /** All calls, or the newest when more than `kept` were received. */
  get calls(): readonly RestCallRecord[] {
    return this.#calls;
  }

  /** Every call ever received, including those dropped from `calls`. */
  get received(): number {
    return this.#received;
  }

  add(record: RestCallRecord): void {
    this.#received += 1;
    this.#calls.push(record);
    if (this.#calls.length > this.#kept) this.#calls = this.#calls.slice(-Math.ceil(this.#kept / 2));
  }
}
