/** Counters of a simulator's run, from `stats()` and `GET /_simulator/stats`. */
export interface SimulatorStats {
  identifies: number;
  identifyConcurrencyViolations: number;
  identifiesRefusedForBudget: number;
  resumes: number;
  dispatches: number;
  /** Bugs caught in the simulator itself; tests assert it stays 0. */
  internalErrors: number;
  restCalls: number;
  rateLimited: { user: number; global: number; shared: number };
  invalidRequests: number;
  /** Delay of each connection's first heartbeat after HELLO, as a fraction of the interval (last 1,000). */
  firstHeartbeatFractions: number[];
  sessionStartRemaining: number;
}
