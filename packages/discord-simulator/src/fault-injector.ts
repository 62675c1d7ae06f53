import type { GatewayFaults } from './gateway/gateway-faults.js';
import type { RestFault, RestFaults } from './rest/rest-faults.js';

/**
 * Disruptions on command, for chaos tests: the gateway's (server-requested heartbeats and reconnects,
 * invalidated sessions, dropped connections, withheld ACKs, zombie feeds) and the REST API's (429 storms,
 * 5xx answers, slow responses).
 */
export class FaultInjector {
  readonly #gateway: GatewayFaults;
  readonly #rest: RestFaults;

  constructor(gateway: GatewayFaults, rest: RestFaults) {
    this.#gateway = gateway;
    this.#rest = rest;
  }

  /** Op 7 to the shard's sessions (every shard when none is given). */
  requestReconnect(shardId?: number): void {
    this.#gateway.requestReconnect(shardId);
  }

  /** Op 1: the server asks for a heartbeat now. */
  requestHeartbeat(shardId?: number): void {
    this.#gateway.requestHeartbeat(shardId);
  }

  /** Closes a shard's connection; without a code the TCP connection just drops. The session stays resumable. */
  dropConnection(shardId: number, options: { code?: number } = {}): void {
    this.#gateway.dropConnection(shardId, options.code);
  }

  /** Op 9 `d: resumable`; a non-resumable one ends the session. */
  invalidateSession(shardId: number, resumable: boolean): void {
    this.#gateway.invalidateSession(shardId, resumable);
  }

  /** Heartbeats are received but not acknowledged until called again with `false`. */
  withholdHeartbeatAcks(shardId: number | undefined, withhold: boolean): void {
    this.#gateway.withholdHeartbeatAcks(shardId, withhold);
  }

  /**
   * A zombie feed on the shard's current connection: heartbeats are still acknowledged but no dispatch
   * arrives (they are kept for a resume). A new connection is healthy again.
   */
  silenceDispatches(shardId: number): void {
    this.#gateway.silenceDispatches(shardId);
  }

  /** Bytes sent as they are on the shard's connections, not numbered (not JSON, invalid UTF-8…). */
  sendRawFrame(shardId: number, frame: string | Buffer): void {
    this.#gateway.sendRawFrame(shardId, frame);
  }

  /** A numbered dispatch whose `d` is `dataJson` verbatim; says how many sessions received it. */
  sendMalformedDispatch(shardId: number, event: string, dataJson: string): number {
    return this.#gateway.sendDispatch(shardId, event, dataJson);
  }

  /** Makes matching REST requests fail or slow down (429 storms, 5xx, latency) until cleared. */
  addRestFault(fault: RestFault): void {
    this.#rest.add(fault);
  }

  clearRestFaults(): void {
    this.#rest.clear();
  }
}
