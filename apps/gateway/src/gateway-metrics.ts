import type { LaneName } from '@dgc/shared';
import type { ProcessMetrics } from '@dgc/shared/observability';
import { Counter, Gauge } from 'prom-client';

export interface GatewayMetricSources {
  shards(): {
    shardId: number;
    state: string;
    latencyMs: number | undefined;
    lastEventAt: number | undefined;
    events: number;
  }[];
  lanes(): { lane: LaneName; published: number; pending: number; waiting: number }[];
  shedCounts(): Record<string, number>;
}

/**
 * The gateway's series. Values are read from state the gateway keeps anyway when Prometheus scrapes, so
 * the event path pays nothing for them; labels are shard ids, lanes and event types (all bounded).
 */
export function registerGatewayMetrics(metrics: ProcessMetrics, sources: GatewayMetricSources) {
  const registers = [metrics.registry];
  new Gauge({
    name: 'dgc_shard_ready',
    help: 'Whether a shard this process runs is connected and READY (1) or not (0)',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      for (const shard of sources.shards()) {
        this.set({ shard: shard.shardId }, shard.state === 'running' ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'dgc_shard_heartbeat_latency_seconds',
    help: 'Last heartbeat round trip of each shard',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      for (const shard of sources.shards()) {
        if (shard.latencyMs !== undefined) this.set({ shard: shard.shardId }, shard.latencyMs / 1_000);
      }
    },
  });
  new Gauge({
    name: 'dgc_shard_last_event_age_seconds',
    help: 'Time since each shard last received a dispatch',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      const now = Date.now();
      for (const shard of sources.shards()) {
        if (shard.lastEventAt !== undefined)
          this.set({ shard: shard.shardId }, (now - shard.lastEventAt) / 1_000);
      }
    },
  });
  new Counter({
    name: 'dgc_shard_events_total',
    help: 'Dispatches received by each shard since its connection started here',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      for (const shard of sources.shards()) this.inc({ shard: shard.shardId }, shard.events);
    },
  });
  const lifecycle = new Counter({
    name: 'dgc_shard_connections_total',
    help: 'Shard connection milestones: ready (an identify), resumed, closed',
    labelNames: ['kind'],
    registers,
  });
  new Counter({
    name: 'dgc_gateway_published_events_total',
    help: 'Events written to each lane by this gateway',
    labelNames: ['lane'],
    registers,
    collect() {
      this.reset();
      for (const lane of sources.lanes()) this.inc({ lane: lane.lane }, lane.published);
    },
  });
  new Gauge({
    name: 'dgc_gateway_pending_events',
    help: 'Events accepted by this gateway and not yet confirmed in Redis, by lane',
    labelNames: ['lane'],
    registers,
    collect() {
      this.reset();
      for (const lane of sources.lanes()) this.set({ lane: lane.lane }, lane.pending);
    },
  });
  new Gauge({
    name: 'dgc_lane_waiting_events',
    help: 'Events waiting in each lane at the gateway’s last depth poll',
    labelNames: ['lane'],
    registers,
    collect() {
      this.reset();
      for (const lane of sources.lanes()) this.set({ lane: lane.lane }, lane.waiting);
    },
  });
  new Counter({
    name: 'dgc_gateway_shed_events_total',
    help: 'Low-value events shed because their lane was above its high-water mark, by event type',
    labelNames: ['event'],
    registers,
    collect() {
      this.reset();
      for (const [event, count] of Object.entries(sources.shedCounts())) this.inc({ event }, count);
    },
  });
  const droppedForLostLease = new Counter({
    name: 'dgc_gateway_lost_lease_dropped_total',
    help: 'Dispatches dropped because this process lost the shard’s lease (the next owner replays them)',
    registers,
  });
  return {
    connection: (kind: 'ready' | 'resumed' | 'closed') => lifecycle.inc({ kind }),
    droppedForLostLease: (count: number) => droppedForLostLease.inc(count),
  };
}
