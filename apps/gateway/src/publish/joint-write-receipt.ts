import type { WriteReceipt } from './batching-publisher.js';

/**
 * A dispatch written by two stages (its lane's publisher and the state cache) counts as written once both
 * confirmed: handed to both in place of the watermark's own receipt, it passes the confirmation on at the
 * last one. Made only for the few dispatches both stages take.
 */
export class JointWriteReceipt implements WriteReceipt {
  readonly #receipt: WriteReceipt;
  #remaining: number;

  constructor(receipt: WriteReceipt, writers: number) {
    this.#receipt = receipt;
    this.#remaining = writers;
  }

  confirm(): void {
    this.#remaining -= 1;
    if (this.#remaining === 0) this.#receipt.confirm();
  }
}
