import type { ParkedReason } from '@dgc/shared';
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
  readonly #malformed: Counter<'reason'>;

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
    this.#malformed = new Counter({
      name: 'dgc_gateway_malformed_dispatches_total',
      help: 'Frames and dispatches parked instead of queued (not-json, invalid-utf8, bad-envelope, unknown-event, oversized, router-error; park-write-skipped: parked records not written under a flood)',
      labelNames: ['reason'],
      registers,
    });
  }

  /** A malformed frame or dispatch parked (or, under a flood, only counted). */
  malformed(reason: ParkedReason | 'park-write-skipped'): void {
    this.#malformed.inc({ reason });
  }

  /** A shard connection milestone: ready (an identify), resumed, closed. */
  connection(kind: ShardMilestone): void {
    this.#lifecycle.inc({ kind });
  }

  droppedForLostLease(count: number): void {
    this.#droppedForLostLease.inc(count);
  }
}
