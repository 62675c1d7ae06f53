import type { StateCacheObserver } from '@dgc/bot-sdk/runtime';
import type { RateLimitObserver } from '@dgc/rest';
import type { LaneName } from '@dgc/shared';
import type { ProcessMetrics } from '@dgc/shared/observability';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { DependencyBreaker } from './dependency-breaker.js';

/** What the batch processor and the handler invoker report per event and per batch. */
export interface JobProcessorObserver {
  /** An event's handlers start: `receivedAt` is when the gateway received it. */
  started(lane: LaneName, receivedAt: number): void;
  finished(lane: LaneName, event: string, durationMs: number, outcome: 'handled' | 'failed'): void;
  /** Events already handled (a redelivery) or claimed elsewhere. */
  skipped(lane: LaneName, count: number): void;
  /** Failed events of a batch re-queued on their own: retried later, or parked in the failed set. */
  requeued(lane: LaneName, retried: number, parked: number): void;
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Job counts are read from Redis at most this often, however often Prometheus scrapes. */
const depthCacheMs = 1_000;

/**
 * The worker's series: lane depth by job state (read from Redis when scraped, cached), events handled,
 * skipped and retried, the gateway→handler lag and the handler duration histograms, and the REST
 * limiter's requests, 429s by scope and waits. Labels: lanes, event types, route templates, statuses.
 */
export function registerWorkerMetrics(
  metrics: ProcessMetrics,
  lanes: () => { lane: LaneName; queues: Queue[] }[],
) {
  const registers = [metrics.registry];
  let depths:
    | { at: number; counts: Promise<{ lane: LaneName; counts: Record<string, number> }[]> }
    | undefined;
  const readDepths = () => {
    if (!depths || Date.now() - depths.at > depthCacheMs) {
      depths = {
        at: Date.now(),
        counts: Promise.all(
          lanes().map(async ({ lane, queues }) => {
            const all = await Promise.all(
              queues.map((queue) =>
                queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
              ),
            );
            const counts: Record<string, number> = {};
            for (const partition of all) {
              for (const [state, count] of Object.entries(partition))
                counts[state] = (counts[state] ?? 0) + count;
            }
            return { lane, counts };
          }),
        ),
      };
    }
    return depths.counts;
  };
  new Gauge({
    name: 'dgc_lane_jobs',
    help: 'Jobs in each lane by state (a job holds one event or a batch)',
    labelNames: ['lane', 'state'],
    registers,
    async collect() {
      this.reset();
      for (const { lane, counts } of await readDepths()) {
        for (const [state, count] of Object.entries(counts)) this.set({ lane, state }, count);
      }
    },
  });
  const events = new Counter({
    name: 'dgc_events_total',
    help: 'Events processed by handlers, by lane, event type and outcome',
    labelNames: ['lane', 'event', 'outcome'],
    registers,
  });
  const skipped = new Counter({
    name: 'dgc_events_skipped_total',
    help: 'Redelivered events skipped because they were already handled (dedupe)',
    labelNames: ['lane'],
    registers,
  });
  const retried = new Counter({
    name: 'dgc_event_retries_total',
    help: 'Failed events re-queued for a retry',
    labelNames: ['lane'],
    registers,
  });
  const parked = new Counter({
    name: 'dgc_events_failed_total',
    help: 'Events moved to the failed set (not retryable, or out of attempts)',
    labelNames: ['lane'],
    registers,
  });
  const lag = new Histogram({
    name: 'dgc_event_lag_seconds',
    help: 'From the gateway receiving an event to its handlers starting',
    labelNames: ['lane'],
    buckets: latencyBuckets,
    registers,
  });
  const duration = new Histogram({
    name: 'dgc_handler_duration_seconds',
    help: 'Time the handlers of one event took, by event type',
    labelNames: ['event'],
    buckets: latencyBuckets,
    registers,
  });
  const restResponses = new Counter({
    name: 'dgc_rest_responses_total',
    help: 'Discord REST answers by route template and status',
    labelNames: ['route', 'status'],
    registers,
  });
  const restRateLimited = new Counter({
    name: 'dgc_rest_rate_limited_total',
    help: 'Discord 429 answers by scope (user and global are ours to avoid; shared are not)',
    labelNames: ['scope'],
    registers,
  });
  const restWait = new Histogram({
    name: 'dgc_rest_limiter_wait_seconds',
    help: 'Time a REST call waited for the shared limiter before being sent, by reason',
    labelNames: ['reason'],
    buckets: latencyBuckets,
    registers,
  });
  const restFallback = new Gauge({
    name: 'dgc_rest_limiter_fallback',
    help: '1 while Redis is unavailable and REST limits are local (a share of each limit)',
    registers,
  });
  const cacheLookups = new Counter({
    name: 'dgc_cache_lookups_total',
    help: 'Handler reads of the shared state cache by entity and outcome: hit (kept by the gateways), fallbackHit (an earlier REST fetch), fallback (fetched over REST now), missing (unknown to Discord)',
    labelNames: ['entity', 'outcome'],
    registers,
  });
  // Resolved label sets, kept: prom-client would otherwise hash the labels on every event.
  const lagOf = memoize((lane: LaneName) => lag.labels({ lane }));
  const eventsOf = memoize((lane: LaneName) =>
    memoize((event: string) => ({
      handled: events.labels({ lane, event, outcome: 'handled' }),
      failed: events.labels({ lane, event, outcome: 'failed' }),
    })),
  );
  const durationOf = memoize((event: string) => duration.labels({ event }));
  const observer: JobProcessorObserver = {
    started: (lane, receivedAt) => lagOf(lane).observe(Math.max(0, Date.now() - receivedAt) / 1_000),
    finished: (lane, event, durationMs, outcome) => {
      eventsOf(lane)(event)[outcome].inc();
      durationOf(event).observe(durationMs / 1_000);
    },
    skipped: (lane, count) => skipped.inc({ lane }, count),
    requeued: (lane, retries, failures) => {
      if (retries > 0) retried.inc({ lane }, retries);
      if (failures > 0) parked.inc({ lane }, failures);
    },
  };
  const restObserver: RateLimitObserver = {
    onResponse: (route, status) => restResponses.inc({ route, status }),
    onRateLimited: (_route, scope) => restRateLimited.inc({ scope }),
    onWait: (_route, reason, waitMs) => restWait.observe({ reason }, waitMs / 1_000),
    onFallback: (active) => restFallback.set(active ? 1 : 0),
  };
  const cacheObserver: StateCacheObserver = {
    lookup: (entity, outcome) => cacheLookups.inc({ entity, outcome }),
  };
  return { observer, restObserver, cacheObserver };
}

/** Cluster-wide REST counters kept in Redis by the shared limiter (invalid requests, 429s), when scraped. */
export function registerRestClusterMetrics(
  metrics: ProcessMetrics,
  clusterStats: () => Promise<Record<string, number>>,
) {
  new Gauge({
    name: 'dgc_rest_cluster_counter',
    help: 'Counters the shared REST limiter keeps in Redis for the whole cluster (requests, 429s by scope, invalid requests), since they were created',
    labelNames: ['name'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const [name, value] of Object.entries(await clusterStats().catch(() => ({})))) {
        this.set({ name }, value);
      }
    },
  });
}

/** Whether each dependency breaker is open (1) and how many lanes it holds paused, when scraped. */
export function registerBreakerMetrics(metrics: ProcessMetrics, breakers: readonly DependencyBreaker[]) {
  new Gauge({
    name: 'dgc_worker_dependency_breaker_open',
    help: 'A dependency every job needs is unreachable and intake is paused (1), by dependency',
    labelNames: ['dependency'],
    registers: [metrics.registry],
    collect() {
      for (const breaker of breakers) this.set({ dependency: breaker.dependency }, breaker.isOpen ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dgc_worker_dependency_paused_lanes',
    help: 'Lanes whose intake a dependency breaker holds paused, by dependency',
    labelNames: ['dependency'],
    registers: [metrics.registry],
    collect() {
      for (const breaker of breakers)
        this.set({ dependency: breaker.dependency }, breaker.pausedLanes.length);
    },
  });
}

/** Caches `make`'s result per key; keys here are lanes and event types, a small fixed set. */
function memoize<Key, Value>(make: (key: Key) => Value): (key: Key) => Value {
  const made = new Map<Key, Value>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}
