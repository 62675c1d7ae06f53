import type { Logger } from 'pino';
import type { GatewayObserver } from './gateway/gateway-observer.js';
import type { SimulatorEmitter } from './simulator-events.js';
import type { SimulatorStats } from './simulator-stats.js';

type GatewayCounts = Pick<
  SimulatorStats,
  | 'identifies'
  | 'identifyConcurrencyViolations'
  | 'identifiesRefusedForBudget'
  | 'resumes'
  | 'internalErrors'
  | 'firstHeartbeatFractions'
>;

/** Kept first-heartbeat delays: enough to judge a client's jitter, bounded for long runs. */
const firstHeartbeatsKept = 1_000;

/** The simulator's reaction to gateway session events: counts them, logs them and emits them. */
export class GatewayActivity implements GatewayObserver {
  readonly #emitter: SimulatorEmitter;
  readonly #logger: Logger | undefined;
  readonly #counts = {
    identifies: 0,
    identifyConcurrencyViolations: 0,
    identifiesRefusedForBudget: 0,
    resumes: 0,
    internalErrors: 0,
  };
  readonly #firstHeartbeatFractions: number[] = [];

  constructor(emitter: SimulatorEmitter, logger: Logger | undefined) {
    this.#emitter = emitter;
    this.#logger = logger;
  }

  counts(): GatewayCounts {
    return { ...this.#counts, firstHeartbeatFractions: [...this.#firstHeartbeatFractions] };
  }

  identified(shard: [number, number], sessionId: string): void {
    this.#counts.identifies += 1;
    this.#emitter.emit('identify', { shard, sessionId });
  }

  identifyRefused(shard: [number, number], reason: 'concurrency' | 'sessionStartLimit'): void {
    if (reason === 'concurrency') this.#counts.identifyConcurrencyViolations += 1;
    else this.#counts.identifiesRefusedForBudget += 1;
    this.#logger?.warn({ shard, reason }, 'identify refused');
  }

  ready(shard: [number, number], sessionId: string): void {
    this.#logger?.info({ shard }, 'session READY');
    this.#emitter.emit('ready', { shard, sessionId });
  }

  resumed(shard: [number, number], sessionId: string, replayed: number): void {
    this.#counts.resumes += 1;
    this.#logger?.info({ shard, replayed }, 'session resumed');
    this.#emitter.emit('resumed', { shard, sessionId, replayed });
  }

  closed(event: { shard?: [number, number]; sessionId?: string; code: number; byClient: boolean }): void {
    this.#logger?.debug(
      { shard: event.shard, code: event.code, byClient: event.byClient },
      'gateway connection closed',
    );
    this.#emitter.emit('closed', event);
  }

  internalError(error: unknown): void {
    this.#counts.internalErrors += 1;
    this.#logger?.error({ err: error }, 'simulator gateway error');
  }

  firstHeartbeat(fractionOfInterval: number): void {
    // Clients should wait interval × jitter (jitter in [0, 1)) before the first heartbeat; keep the last
    // few so tests can check a client spreads its first heartbeats instead of sending them at once.
    this.#firstHeartbeatFractions.push(fractionOfInterval);
    if (this.#firstHeartbeatFractions.length > firstHeartbeatsKept) this.#firstHeartbeatFractions.shift();
  }
}
