import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  createRedisConnection,
  type Logger,
  laneTopologyFromConfig,
  OwnedRedisState,
  ownedRedisStateCheckEveryMs,
  ParkedDispatches,
  redisTargetOf,
  type ServiceLifecycle,
  TaskMonitor,
} from '@dgc/shared';
import { ProcessMetrics } from '@dgc/shared/observability';
import { CacheSizeReport } from './cache/cache-size-report.js';
import { HeapCompaction } from './cache/heap-compaction.js';
import { StateCacheWriter } from './cache/state-cache-writer.js';
import { AutoReshard } from './cluster/auto-reshard.js';
import { GatewayCommandRelay } from './cluster/gateway-command-relay.js';
import { GatewayMembership } from './cluster/gateway-membership.js';
import { joinShardGeneration } from './cluster/shard-generation-guard.js';
import { ShardSets } from './cluster/shard-sets.js';
import type { GatewayConfig } from './config.js';
import { DispatchGuard } from './dispatch/dispatch-guard.js';
import { EventFilter } from './dispatch/event-filter.js';
import { LaneBackpressure } from './dispatch/lane-backpressure.js';
import { GatewayCounters } from './gateway-counters.js';
import { registerGatewayMetrics } from './gateway-metrics.js';
import { LanePublishers } from './publish/lane-publishers.js';
import { DiscordGatewayInfo } from './shards/discord-gateway-info.js';

/**
 * Connects this process's shards and forwards every wanted dispatch to its lane's queue, in three stages:
 * shards (`ShardConnections`) → dispatch router (`DispatchRouter.route`) → lane publishers (`LanePublishers`),
 * with the state cache (`StateCacheWriter`) beside the publishers for the events that change it.
 * The stages are built last to first, as each is handed the next; the timers that keep them running follow.
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  tasks: TaskMonitor = new TaskMonitor({ logger }),
  metrics: ProcessMetrics = new ProcessMetrics('gateway', tasks),
  stopping?: AbortSignal,
): Promise<ServiceLifecycle> {
  const { REDIS_KEY_PREFIX: keyPrefix, GATEWAY_LEASE_TTL_MS: ttlMs } = config;
  const redisTarget = redisTargetOf(config);
  const redis = createRedisConnection({ target: redisTarget, connectionName: 'gateway:commands' });
  const topology = laneTopologyFromConfig(config);
  await new OwnedRedisState({
    redis,
    keyPrefix,
    topology,
    unrecoverable:
      'events queued in the lanes and not yet handled; shard sessions and sequences (shards identify anew)',
    logger,
    metrics,
  }).establish(tasks);
  // Filled by the ownership ticks below: until the first one no shard runs, so nothing is published. The
  // publishers and the cache check a batch's shards again before writing; during a reshard a shard id
  // may be held in either set (each set's router checked its own lease before the event got here).
  let sets: ShardSets | undefined;
  const leases = { holds: (shardId: number) => sets?.all().some((set) => set.held.holds(shardId)) ?? false };
  const publishers = new LanePublishers({ config, topology, redis, leases, tasks, logger });
  const backpressure = new LaneBackpressure({
    lanes: publishers,
    highWaterMark: config.GATEWAY_SHED_HIGH_WATER_MARK,
    maxBufferedEvents: config.GATEWAY_MAX_BUFFERED_EVENTS,
    pollEveryMs: config.GATEWAY_DEPTH_POLL_MS,
    logger,
  });
  backpressure.schedule(tasks);
  const filter = config.GATEWAY_EVENTS
    ? EventFilter.fixed(config.GATEWAY_EVENTS)
    : await EventFilter.fromWorkerSubscriptions(redisTarget, keyPrefix, redis, logger);
  tasks.every('reload subscribed events', ownedRedisStateCheckEveryMs, () => filter.reload());
  const cache = new StateCacheWriter({
    redisTarget,
    keyPrefix,
    entities: config.CACHE_ENTITIES,
    maxEvents: config.GATEWAY_BATCH_MAX_EVENTS,
    maxWaitMs: config.GATEWAY_BATCH_MAX_WAIT_MS,
    maxBuffered: config.GATEWAY_MAX_BUFFERED_EVENTS,
    maxPendingEntries: config.CACHE_MAX_PENDING_ENTRIES,
    leases,
    logger: logger.child({ stage: 'cache' }),
  });
  const compaction = new HeapCompaction({
    afterEntries: config.CACHE_COMPACT_AFTER_ENTRIES,
    cooldownMs: 60_000,
    logger: logger.child({ stage: 'cache' }),
  });
  tasks.every('heap-compaction-after-cache-burst', 2_000, () =>
    compaction.check(
      Object.values(cache.writes).reduce((sum, count) => sum + count, 0),
      cache.pendingCount === 0,
    ),
  );
  tasks.watch('cache-writer', () => ({
    state: cache.pendingCount > 0 ? 'running' : 'idle',
    detail: `pending ${cache.pendingCount}`,
  }));
  const counters = new GatewayCounters(metrics);
  const guard = new DispatchGuard({
    parked: new ParkedDispatches(redis, keyPrefix),
    counters,
    filter,
    maxEventBytes: config.GATEWAY_MAX_EVENT_BYTES,
    logger,
  });
  const gatewayInfo = new DiscordGatewayInfo({ config, redis, logger });
  // Before the record is read: how long a holding set may be sure no switch has come (see ShardSets).
  const generationReadAt = Date.now();
  const state = await joinShardGeneration({
    redis,
    keyPrefix,
    configured: config.GATEWAY_SHARD_COUNT,
    recommended: async () => (await gatewayInfo.read()).shards,
    logger,
  });
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  sets = new ShardSets(
    {
      config,
      redis,
      owner,
      membership: new GatewayMembership({ redis, keyPrefix, member: owner, ttlMs }),
      filter,
      backpressure,
      publishers,
      cache,
      counters,
      guard,
      gatewayInformation: (force) => gatewayInfo.read(force),
      tasks,
      logger,
    },
    state,
    generationReadAt,
  );
  cache.attachIntake(sets);
  registerGatewayMetrics(metrics, {
    shards: sets,
    lanes: publishers,
    backpressure,
    cache,
    cacheSize: new CacheSizeReport({ redis: cache.redis, keyPrefix }),
  });
  metrics.addReadinessCheck('shards', async () => sets.allRunning());

  const lifecycle: ServiceLifecycle = {
    // A hand-off, not a logout: close with a code other than 1000/1001 so Discord keeps the sessions,
    // and keep them in Redis, so the next owner of each shard resumes instead of identifying.
    stopIntake: () => sets.handOver(),
    drain: async (deadline) => {
      await Promise.all([publishers.drain(deadline), cache.drain(deadline)]);
    },
    async close() {
      await sets
        .closeSessions()
        .catch((error: unknown) => logger.warn({ err: error }, 'final session write failed'));
      backpressure.reportShed();
      await filter.stop();
      await publishers.close();
      await cache.close();
      await redis.quit().catch(() => {});
    },
  };

  await sets.tick();
  sets.schedule(tasks);
  // Shards wait here for their identify turn, minutes in a large cluster, or hours with no session starts
  // left: a stop asked for meanwhile hands them over as they are instead of waiting for them.
  await untilAborted(sets.started(), stopping);
  if (stopping?.aborted) {
    logger.info({ shards: sets.active.ownership.shards }, 'stop asked for before every shard connected');
    return lifecycle;
  }
  new GatewayCommandRelay({
    redis,
    keyPrefix,
    ownership: {
      get shards() {
        return sets.active.ownership.shards;
      },
    },
    connections: { send: (shardId, payload) => sets.active.connections.send(shardId, payload) },
    logger,
  }).schedule(tasks);
  new AutoReshard({ config, redis, gatewayInfo, logger }).schedule(tasks);
  logger.info(
    {
      generation: sets.active.generation,
      shardCount: sets.active.shardCount,
      shards: sets.active.ownership.shards,
      owner,
    },
    'gateway connected its shards',
  );
  return lifecycle;
}

/** Resolves when `work` settles or `signal` aborts, whichever comes first. */
function untilAborted(work: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work.then(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
