/**
 * What the gateway side reports to whoever runs it (the simulator counts, logs and re-emits these). Not on
 * the dispatch path: only session lifecycle and errors.
 */
export interface GatewayObserver {
  identified(shard: [number, number], sessionId: string): void;
  identifyRefused(shard: [number, number], reason: 'concurrency' | 'sessionStartLimit'): void;
  ready(shard: [number, number], sessionId: string): void;
  resumed(shard: [number, number], sessionId: string, replayed: number): void;
  closed(event: { shard?: [number, number]; sessionId?: string; code: number; byClient: boolean }): void;
  /** A bug in the simulator itself, caught so the client sees a resumable hiccup. */
  internalError(error: unknown): void;
  /** Delay of a connection's first heartbeat after HELLO, as a fraction of the interval. */
  firstHeartbeat(fractionOfInterval: number): void;
}
