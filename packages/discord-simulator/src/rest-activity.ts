import { InteractionCallbacks } from './rest/interaction-callbacks.js';
import { RestCallLog } from './rest/rest-call-log.js';
import type { RestCallRecord } from './rest/rest-call-record.js';
import type { RestCallObserver } from './rest/rest-server.js';
import type { SimulatorEmitter } from './simulator-events.js';
import type { SimulatorStats } from './simulator-stats.js';

/** The simulator's record of REST calls: the call log, the interaction callbacks, counts and events. */
export class RestActivity implements RestCallObserver {
  readonly log: RestCallLog;
  readonly callbacks: InteractionCallbacks;
  readonly #emitter: SimulatorEmitter;
  readonly #rateLimited = { user: 0, global: 0, shared: 0 };

  /** `kept`: REST calls kept in the log, and interactions whose callbacks are remembered. */
  constructor(emitter: SimulatorEmitter, kept: number) {
    this.#emitter = emitter;
    this.log = new RestCallLog(kept);
    this.callbacks = new InteractionCallbacks(kept);
  }

  counts(): Pick<SimulatorStats, 'restCalls' | 'rateLimited'> {
    return { restCalls: this.log.received, rateLimited: { ...this.#rateLimited } };
  }

  callAnswered(record: RestCallRecord): void {
    this.log.add(record);
    if (record.rateLimitScope) this.#rateLimited[record.rateLimitScope] += 1;
    this.#emitter.emit('restCall', record);
    if (record.route.startsWith('/interactions/')) {
      this.callbacks.add(record);
      this.#emitter.emit('interactionResponse', record);
    }
  }
}
