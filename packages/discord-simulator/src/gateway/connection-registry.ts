import type { GatewayConnection } from './gateway-connection.js';

/** The open WebSocket connections, for fault injection and shutdown. */
export class ConnectionRegistry {
  readonly #connections = new Set<GatewayConnection>();

  add(connection: GatewayConnection): void {
    this.#connections.add(connection);
  }

  delete(connection: GatewayConnection): void {
    this.#connections.delete(connection);
  }

  /** Open connections, of one shard (by the session identified on them) or of all when no shard is given. */
  ofShard(shardId?: number): GatewayConnection[] {
    return [...this.#connections].filter(
      (connection) =>
        connection.isOpen && (shardId === undefined || connection.session?.shard[0] === shardId),
    );
  }

  /** Closes every connection (no code: the TCP connection just drops). */
  closeAll(code?: number, reason?: string): void {
    for (const connection of [...this.#connections]) connection.close(code, reason);
  }
}
