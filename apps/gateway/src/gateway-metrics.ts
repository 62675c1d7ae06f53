import { cacheEntityKinds, laneNames } from '@dgc/shared';
import type { ProcessMetrics } from '@dgc/shared/observability';
import { Counter, Gauge } from 'prom-client';
import type { CacheSizeReport } from './cache/cache-size-report.js';
import type { StateCacheWriter } from './cache/state-cache-writer.js';
import type { LaneBackpressure } from './dispatch/lane-backpressure.js';
import type { LanePublishers } from './publish/lane-publishers.js';
import type { ShardConnections } from './shards/shard-connections.js';

/** Where the series are read from on a scrape: the three stages of the event path. */
export interface GatewayMetricSources {
  shards: Pick<ShardConnections, 'snapshot'>;
  lanes: Pick<LanePublishers, 'publishedCount' | 'pendingCount'>;
  backpressure: Pick<LaneBackpressure, 'depthOf' | 'shedCounts'>;
  cache: Pick<StateCacheWriter, 'writes' | 'dropped' | 'pendingCount' | 'pendingEntries' | 'intakePauses'>;
  cacheSize: Pick<CacheSizeReport, 'sizes'>;
}

/**
 * The gateway's series read on a scrape (those counted as things happen are `GatewayCounters`). Values
 * are read from state the gateway keeps anyway when Prometheus scrapes, so the event path pays nothing for
 * them; labels are shard ids, lanes and event types (all bounded).
 */
export function registerGatewayMetrics(metrics: ProcessMetrics, sources: GatewayMetricSources): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'dgc_shard_ready',
    help: 'Whether a shard this process runs is connected and READY (1) or not (0)',
    labelNames: ['shard'],
    registers,
    collect() {
      this.reset();
      for (const shard of sources.shards.snapshot()) {
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
      for (const shard of sources.shards.snapshot()) {
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
      for (const shard of sources.shards.snapshot()) {
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
      for (const shard of sources.shards.snapshot()) this.inc({ shard: shard.shardId }, shard.events);
    },
  });
  new Counter({
    name: 'dgc_gateway_published_events_total',
    help: 'Events written to each lane by this gateway',
    labelNames: ['lane'],
    registers,
    collect() {
      this.reset();
      for (const lane of laneNames) this.inc({ lane }, sources.lanes.publishedCount(lane));
    },
  });
  new Gauge({
    name: 'dgc_gateway_pending_events',
    help: 'Events accepted by this gateway and not yet confirmed in Redis, by lane',
    labelNames: ['lane'],
    registers,
    collect() {
      this.reset();
      for (const lane of laneNames) this.set({ lane }, sources.lanes.pendingCount(lane));
    },
  });
  new Gauge({
    name: 'dgc_lane_waiting_events',
    help: 'Events waiting in each lane at the gateway’s last depth poll',
    labelNames: ['lane'],
    registers,
    collect() {
      this.reset();
      for (const lane of laneNames) this.set({ lane }, sources.backpressure.depthOf(lane));
    },
  });
  new Counter({
    name: 'dgc_gateway_shed_events_total',
    help: 'Low-value events shed because their lane was above its high-water mark, by event type',
    labelNames: ['event'],
    registers,
    collect() {
      this.reset();
      for (const [event, count] of Object.entries(sources.backpressure.shedCounts()))
        this.inc({ event }, count);
    },
  });
  new Counter({
    name: 'dgc_cache_writes_total',
    help: 'Entries this gateway wrote to (or deleted from) the shared state cache, by entity',
    labelNames: ['entity'],
    registers,
    collect() {
      this.reset();
      const writes = sources.cache.writes;
      for (const entity of cacheEntityKinds) this.inc({ entity }, writes[entity]);
    },
  });
  new Counter({
    name: 'dgc_cache_dropped_writes_total',
    help: 'Cache-changing dispatches dropped because the cache buffer was full (Redis unreachable)',
    registers,
    collect() {
      this.reset();
      this.inc(sources.cache.dropped);
    },
  });
  new Gauge({
    name: 'dgc_cache_pending_writes',
    help: 'Cache-changing dispatches accepted by this gateway and not yet applied to Redis',
    registers,
    collect() {
      this.set(sources.cache.pendingCount);
    },
  });
  new Gauge({
    name: 'dgc_cache_pending_entries',
    help: 'Cache entries (guild, channel, role, member) waiting in this gateway to be written; bounded by CACHE_MAX_PENDING_ENTRIES',
    registers,
    collect() {
      this.set(sources.cache.pendingEntries);
    },
  });
  new Counter({
    name: 'dgc_cache_intake_pauses_total',
    help: 'Times this gateway paused reading its shards because too many cache entries waited for Redis',
    registers,
    collect() {
      this.reset();
      this.inc(sources.cache.intakePauses.pauses);
    },
  });
  new Counter({
    name: 'dgc_cache_intake_paused_seconds_total',
    help: 'Time this gateway spent with its shards paused for the state cache to catch up',
    registers,
    collect() {
      this.reset();
      this.inc(sources.cache.intakePauses.pausedMs / 1_000);
    },
  });
  new Gauge({
    name: 'dgc_cache_entries',
    help: 'Entries in the shared state cache (all gateways), by entity; counted at most every 30 s',
    labelNames: ['entity'],
    registers,
    async collect() {
      // A stalled Redis (SIGSTOP, a long fork) must not hang the scrape, which is how an operator sees
      // the buffer growing: past 1 s the last counts stand.
      const sizes = await Promise.race([
        sources.cacheSize.sizes().catch(() => undefined),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000).unref()),
      ]);
      if (!sizes) return;
      this.reset();
      for (const entity of cacheEntityKinds) this.set({ entity }, sizes[entity]);
    },
  });
}
