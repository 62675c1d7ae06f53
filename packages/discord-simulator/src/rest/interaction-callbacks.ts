import type { RestCallRecord } from './rest-call-record.js';

const callbackRoute = /^\/interactions\/(\d+)\/:token\/callback$/;

/**
 * The first callback of each interaction, and who waits for one: indexed because a benchmark waits for
 * thousands of callbacks, and scanning every REST call for each cost the loop that times them.
 */
export class InteractionCallbacks {
  readonly #firstByInteraction = new Map<string, RestCallRecord>();
  readonly #waiters = new Map<string, Set<(record: RestCallRecord) => void>>();
  readonly #kept: number;

  /** `kept`: callbacks of this many recent interactions are remembered (oldest forgotten first). */
  constructor(kept: number) {
    this.#kept = kept;
  }

  /** Records an `/interactions/…` call if it is an interaction's first callback, and wakes its waiters. */
  add(record: RestCallRecord): void {
    const interactionId = callbackRoute.exec(record.route)?.[1];
    if (!interactionId || this.#firstByInteraction.has(interactionId)) return;
    this.#firstByInteraction.set(interactionId, record);
    if (this.#firstByInteraction.size > this.#kept) {
      const [oldest] = this.#firstByInteraction.keys();
      if (oldest !== undefined) this.#firstByInteraction.delete(oldest);
    }
    const waiters = this.#waiters.get(interactionId);
    this.#waiters.delete(interactionId);
    for (const waiter of waiters ?? []) waiter(record);
  }

  /** Resolves with the first callback received for the interaction; rejects after `timeoutMs`. */
  waitFor(interactionId: string, timeoutMs: number): Promise<RestCallRecord> {
    const earlier = this.#firstByInteraction.get(interactionId);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const waiters = this.#waiters.get(interactionId) ?? new Set();
      this.#waiters.set(interactionId, waiters);
      const onCallback = (record: RestCallRecord) => {
        clearTimeout(timer);
        resolve(record);
      };
      const timer = setTimeout(() => {
        waiters.delete(onCallback);
        if (waiters.size === 0) this.#waiters.delete(interactionId);
        reject(new Error(`no callback for interaction ${interactionId} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(onCallback);
    });
  }
}
