import type { ConnectionRegistry } from './connection-registry.js';
import type { SessionRegistry } from './session-registry.js';

/** Server-side disruptions of a shard's connections, as Discord causes them (ops 1, 7, 9, drops, zombies). */
export class GatewayFaults {
  readonly #connections: ConnectionRegistry;
  readonly #sessions: SessionRegistry;

  constructor(connections: ConnectionRegistry, sessions: SessionRegistry) {
    this.#connections = connections;
    this.#sessions = sessions;
  }

  /** Op 7 on the shard's identified connections (every shard when none is given). */
  requestReconnect(shardId?: number): void {
    for (const connection of this.#connections.ofShard(shardId)) {
      if (connection.session) connection.sendPayload({ op: 7, d: null });
    }
  }

  /** Op 1: the server asks for a heartbeat now. */
  requestHeartbeat(shardId?: number): void {
    for (const connection of this.#connections.ofShard(shardId)) connection.sendPayload({ op: 1, d: null });
  }

  /** Closes the shard's connections; without a code the TCP connection just drops. */
  dropConnection(shardId: number, code?: number): void {
    for (const connection of this.#connections.ofShard(shardId)) connection.close(code);
  }

  /** Op 9 with `d: resumable`; a non-resumable one ends the session first. */
  invalidateSession(shardId: number, resumable: boolean): void {
    for (const connection of this.#connections.ofShard(shardId)) {
      const session = connection.session;
      if (!session) continue;
      if (!resumable) this.#sessions.end(session);
      connection.sendPayload({ op: 9, d: resumable });
    }
  }

  /** Stops delivering dispatches on the shard's current connections (a silent, half-dead feed). */
  silenceDispatches(shardId: number): void {
    for (const connection of this.#connections.ofShard(shardId)) connection.silenced = true;
  }

  withholdHeartbeatAcks(shardId: number | undefined, withhold: boolean): void {
    for (const connection of this.#connections.ofShard(shardId)) connection.withholdAcks = withhold;
  }

  /**
   * Sends bytes as they are on the shard's connections, outside the session's numbering (never replayed on
   * resume): frames that are not JSON, invalid UTF-8, envelopes with wrong-typed fields.
   */
  sendRawFrame(shardId: number, frame: string | Buffer): void {
    for (const connection of this.#connections.ofShard(shardId)) connection.sendFrame(frame);
  }

  /**
   * A dispatch numbered in the shard's session like any other, with `dataJson` as its `d` verbatim (any JSON,
   * not only an object): missing or wrong-typed fields, unknown event types, huge payloads.
   */
  sendDispatch(shardId: number, event: string, dataJson: string): number {
    let sent = 0;
    for (const connection of this.#connections.ofShard(shardId)) {
      if (!connection.session) continue;
      connection.session.deliver(event, dataJson);
      sent += 1;
    }
    return sent;
  }
}
