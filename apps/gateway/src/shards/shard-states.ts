import type { TaskState } from '@dgc/shared';
import { type WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';

interface ShardState {
  state: TaskState;
  detail: string;
  /** When the shard entered this state. */
  since: number;
}

/**
 * Each shard's connection state as the task monitor lists it, kept from the manager's events (the
 * manager's own status lookup is asynchronous, and a snapshot must not wait).
 */
export class ShardStates {
  readonly #states = new Map<number, ShardState>();
  readonly #latency = new Map<number, number>();
  readonly #awaitingIdentify = new Set<number>();
  readonly #createdAt = Date.now();

  constructor(manager: WebSocketManager) {
    manager.on(WebSocketShardEvents.Ready, (_data, shardId) => this.#set(shardId, 'running', 'ready'));
    manager.on(WebSocketShardEvents.Resumed, (shardId) => this.#set(shardId, 'running', 'resumed'));
    manager.on(WebSocketShardEvents.Closed, (code, shardId) =>
      this.#set(shardId, 'waiting', `closed with ${code}; reconnecting`),
    );
    manager.on(WebSocketShardEvents.HeartbeatComplete, ({ latency }, shardId) =>
      this.#latency.set(shardId, latency),
    );
  }

  /** The last heartbeat round trip, once one completed. */
  latencyOf(shardId: number): number | undefined {
    return this.#latency.get(shardId);
  }

  of(shardId: number): ShardState {
    const current = this.#states.get(shardId) ?? {
      state: 'waiting',
      detail: 'connecting',
      since: this.#createdAt,
    };
    const latency = this.#latency.get(shardId);
    return latency === undefined
      ? current
      : { ...current, detail: `${current.detail}, heartbeat ${latency} ms` };
  }

  /**
   * The shard waits for its identify turn (`true`), or its turn came (`false`): either way a new state
   * from now, so the time spent in the queue never counts towards a stuck connection.
   */
  identifyWait(shardId: number, waiting: boolean): void {
    this.#set(shardId, 'waiting', waiting ? 'waiting for its identify turn' : 'identifying');
    if (waiting) this.#awaitingIdentify.add(shardId);
    else this.#awaitingIdentify.delete(shardId);
  }

  awaitingIdentify(shardId: number): boolean {
    return this.#awaitingIdentify.has(shardId);
  }

  #set(shardId: number, state: TaskState, detail: string): void {
    this.#states.set(shardId, { state, detail, since: Date.now() });
  }
}
