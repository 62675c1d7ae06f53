import type { WebSocketManager } from '@discordjs/ws';

/** The part of a `ws` WebSocket the gateway pauses: reading stops, so TCP pushes back on the sender. */
export interface PausableSocket {
  pause(): void;
  resume(): void;
}

interface ManagerInternals {
  strategy?: { shards?: Map<number, { connection?: unknown } | undefined> };
}

function isPausable(value: unknown): value is PausableSocket {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PausableSocket).pause === 'function' &&
    typeof (value as PausableSocket).resume === 'function'
  );
}

/**
 * A shard's socket inside @discordjs/ws, which offers no pause of its own: its in-process strategy keeps
 * each shard's `ws` connection as a plain property (2.0.x). Undefined when that shape is not found (another
 * version, a worker strategy, not connected): the caller then simply does not pause that shard.
 */
export function shardSocketOf(manager: WebSocketManager, shardId: number): PausableSocket | undefined {
  const connection = (manager as unknown as ManagerInternals).strategy?.shards?.get(shardId)?.connection;
  return isPausable(connection) ? connection : undefined;
}
