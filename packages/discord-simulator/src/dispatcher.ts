import { type DispatchLedger, dispatchKey } from './dispatch-ledger.js';
import type { DispatchRouter } from './gateway/dispatch-router.js';
import type { EventDispatcher } from './rest/rest-state.js';

/**
 * Every dispatch the simulator sends, injected or caused by a REST call, goes through here: routed by the
 * gateway to the sessions that should get it, counted, and written to the ledger when it is on.
 */
export class Dispatcher implements EventDispatcher {
  /** Dispatches delivered, one per receiving session. */
  dispatches = 0;
  readonly #router: DispatchRouter;
  readonly #ledger: DispatchLedger;

  constructor(router: DispatchRouter, ledger: DispatchLedger) {
    this.#router = router;
    this.#ledger = ledger;
  }

  /** `dataJson` is `data` serialised, when the caller has it already (spares a second stringify). */
  dispatch(event: string, data: unknown, guildId: string | undefined, dataJson?: string): void {
    const sessions = this.#router.dispatch(event, data, guildId, dataJson);
    this.dispatches += sessions.length;
    if (!this.#ledger.enabled || sessions.length === 0) return;
    const key = dispatchKey(event, data);
    const sentAt = Date.now();
    for (const session of sessions) {
      this.#ledger.record({
        shardId: session.shard[0],
        sessionId: session.sessionId,
        sequence: session.sequence,
        event,
        key,
        sentAt,
      });
    }
  }
}
