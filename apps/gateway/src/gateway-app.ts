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
import { StateCacheWriter } from './cache/state-cache-writer.js';
import { GatewayCommandRelay } from './cluster/gateway-command-relay.js';
import { GatewayMembership } from './cluster/gateway-membership.js';
import { HeldShardLeases } from './cluster/held-shard-leases.js';
import { RedisSessionStore } from './cluster/redis-session-store.js';
import { ShardLeases } from './cluster/shard-leases.js';
import { ShardOwnership } from './cluster/shard-ownership.js';
import type { GatewayConfig } from './config.js';
import { DispatchGuard } from './dispatch/dispatch-guard.js';
import { DispatchRouter } from './dispatch/dispatch-router.js';
import { EventFilter } from './dispatch/event-filter.js';
import { LaneBackpressure } from './dispatch/lane-backpressure.js';
import { GatewayCounters } from './gateway-counters.js';
import { registerGatewayMetrics } from './gateway-metrics.js';
import { LanePublishers } from './publish/lane-publishers.js';
import { ShardConnections } from './shards/shard-connections.js';
import { ShardStateReport } from './shards/shard-state-report.js';
import { ShardWatchdog } from './shards/shard-watchdog.js';

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
  // Filled by the ownership ticks below: until the first one no shard runs, so nothing is published.
  const leases = new HeldShardLeases();
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
  tasks.watch('cache-writer', () => ({
    state: cache.pendingCount > 0 ? 'running' : 'idle',
    detail: `pending ${cache.pendingCount}`,
  }));
  const sessions = new RedisSessionStore({ redis, keyPrefix, logger });
  const counters = new GatewayCounters(metrics);
  const guard = new DispatchGuard({
    parked: new ParkedDispatches(redis, keyPrefix),
    counters,
    filter,
    maxEventBytes: config.GATEWAY_MAX_EVENT_BYTES,
    logger,
  });
  const router = new DispatchRouter({
    leases,
    sessions,
    filter,
    laneRoutes: config.GATEWAY_LANE_ROUTES,
    backpressure,
    publishers,
    cache,
    counters,
    guard,
    logger,
  });
  router.schedule(tasks);
  const connections = new ShardConnections({
    config,
    redis,
    sessions,
    tasks,
    logger,
    router,
    counters,
    reportFrame: guard.reportFrame,
  });
  cache.attachIntake(connections);
  // What Redis lost, Discord replays: a restarted or promoted Redis holds an older watermark than this
  // process wrote; the shard resumes from it (README: "Redis failures lose no event").
  sessions.onServerReplaced((shardId) => {
    tasks
      .run(`resume shard ${shardId} after Redis lost writes`, () =>
        connections.resumeFromStoredSequence(shardId, () => leases.holds(shardId)),
      )
      .catch((error: unknown) =>
        logger.error({ err: error, shardId }, 'resuming a shard after Redis lost writes failed'),
      );
  });
  registerGatewayMetrics(metrics, {
    shards: connections,
    lanes: publishers,
    backpressure,
    cache,
    cacheSize: new CacheSizeReport({ redis: cache.redis, keyPrefix }),
  });
  metrics.addReadinessCheck('shards', async () => connections.allRunning());

  const shardCount = await connections.shardCount();
  const candidates = config.GATEWAY_SHARD_IDS ?? Array.from({ length: shardCount }, (_, shardId) => shardId);
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const ownership = new ShardOwnership({
    leases: new ShardLeases({ redis, keyPrefix, owner, ttlMs }),
    held: leases,
    membership: new GatewayMembership({ redis, keyPrefix, member: owner, ttlMs }),
    candidates,
    capacity: config.GATEWAY_SHARD_CAPACITY ?? candidates.length,
    runner: connections,
    tickEveryMs: Math.min(1_000, Math.floor(ttlMs / 3)),
    logger,
  });
  const stateReport = new ShardStateReport({ redis, keyPrefix, owner, shards: connections, sessions });
  await stateReport.publishShardCount(shardCount);
  await ownership.tick();
  ownership.schedule(tasks);
  stateReport.schedule(tasks);
  await connections.started();
  new GatewayCommandRelay({ redis, keyPrefix, ownership, connections, logger }).schedule(tasks);
  const { GATEWAY_WATCHDOG_STUCK_MS: stuckAfterMs, GATEWAY_WATCHDOG_SILENT_MS: silentAfterMs } = config;
  new ShardWatchdog({ shards: connections, stuckAfterMs, silentAfterMs, logger }).schedule(tasks);
  logger.info({ shardCount, shards: ownership.shards, owner }, 'gateway connected its shards');

  return {
    // A hand-off, not a logout: close with a code other than 1000/1001 so Discord keeps the sessions,
    // and keep them in Redis, so the next owner of each shard resumes instead of identifying.
    stopIntake: () => ownership.releaseAll(),
    drain: async (deadline) => {
      await Promise.all([publishers.drain(deadline), cache.drain(deadline)]);
    },
    async close() {
      await sessions
        .close()
        .catch((error: unknown) => logger.warn({ err: error }, 'final session write failed'));
      backpressure.reportShed();
      await filter.stop();
      await publishers.close();
      await cache.close();
      await redis.quit().catch(() => {});
    },
  };
}
