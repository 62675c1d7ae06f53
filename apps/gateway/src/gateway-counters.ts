import type { ProcessMetrics } from '@dgc/shared/observability';
import { Counter } from 'prom-client';

export type ShardMilestone = 'ready' | 'resumed' | 'closed';

/**
 * The gateway's series counted as things happen (those read on a scrape are in `gateway-metrics.ts`).
 * Registered before the stages that count into them are built.
 */
export class GatewayCounters {
  readonly #lifecycle: Counter<'kind'>;
  readonly #droppedForLostLease: Counter;

  constructor(metrics: ProcessMetrics) {
    const registers = [metrics.registry];
    this.#lifecycle = new Counter({
      name: 'dgc_shard_connections_total',
      help: 'Shard connection milestones: ready (an identify), resumed, closed',
      labelNames: ['kind'],
      registers,
    });
    this.#droppedForLostLease = new Counter({
      name: 'dgc_gateway_lost_lease_dropped_total',
      help: 'Dispatches dropped because this process lost the shard’s lease (the next owner replays them)',
      registers,
    });
  }

  /** A shard connection milestone: ready (an identify), resumed, closed. */
  connection(kind: ShardMilestone): void {
    this.#lifecycle.inc({ kind });
  }

  droppedForLostLease(count: number): void {
    this.#droppedForLostLease.inc(count);
  }
}
