import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  createLaneRouter,
  createRedisConnection,
  ensureLaneTopology,
  type GatewayEventEnvelope,
  type GatewayEventJobData,
  isOrdered,
  type Logger,
  laneJobOptions,
  laneNames,
  lanePolicies,
  laneQueueNames,
  laneTopologyFromConfig,
  orderingKeyOf,
  partitionOf,
  type ServiceLifecycle,
  TaskMonitor,
} from '@dgc/shared';
import { ProcessMetrics } from '@dgc/shared/observability';
import { REST } from '@discordjs/rest';
import { Queue } from 'bullmq';
import { GatewayCommandRelay } from './cluster/gateway-command-relay.js';
import { GatewayMembership } from './cluster/gateway-membership.js';
import { RedisSessionStore } from './cluster/redis-session-store.js';
import { ShardLeases } from './cluster/shard-leases.js';
import { ShardOwnership } from './cluster/shard-ownership.js';
import { ShardWatchdog } from './cluster/shard-watchdog.js';
import type { GatewayConfig } from './config.js';
import { registerGatewayMetrics } from './gateway-metrics.js';
import { BatchingPublisher } from './publish/batching-publisher.js';
import { EventFilter } from './publish/event-filter.js';
import { LaneBackpressure } from './publish/lane-backpressure.js';
import { ShardConnections } from './shards/shard-connections.js';

/** Connects this process's shards and forwards every wanted dispatch to the gateway events queue. */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  tasks: TaskMonitor = new TaskMonitor({ logger }),
  metrics: ProcessMetrics = new ProcessMetrics('gateway', tasks),
): Promise<ServiceLifecycle> {
  const redis = createRedisConnection({ url: config.REDIS_URL, connectionName: 'gateway:commands' });
  const subscriber = createRedisConnection({
    url: config.REDIS_URL,
    connectionName: 'gateway:subscriptions',
  });
  const laneFor = createLaneRouter(config.GATEWAY_LANE_ROUTES);
  const topology = laneTopologyFromConfig(config);
  await ensureLaneTopology(redis, config.REDIS_KEY_PREFIX, topology);
  // Set once the leases exist; until then no shard runs, so no event is published.
  let ownership: ShardOwnership | undefined;
  let droppedForLostLease = 0;
  const ownsShard = (shardId: number) => ownership?.holds(shardId) === true;
  const lanes = new Map(
    laneNames.map((lane) => {
      const ordered = isOrdered(topology, lane);
      // Interactions get their own connection: on a shared one their writes would wait behind large
      // batches of ordinary events in the same command pipeline.
      const connection =
        lane === 'interactions'
          ? createRedisConnection({ url: config.REDIS_URL, connectionName: 'gateway:interactions' })
          : redis;
      const partitions = laneQueueNames(topology, lane).map((queueName) => {
        const queue = new Queue<GatewayEventJobData>(queueName, {
          connection,
          prefix: config.REDIS_KEY_PREFIX,
        });
        const publisher = new BatchingPublisher(queue, {
          maxEvents: config.GATEWAY_BATCH_MAX_EVENTS,
          maxWaitMs: Math.min(config.GATEWAY_BATCH_MAX_WAIT_MS, lanePolicies[lane].maxBatchWaitMs),
          // Concurrent batches could land out of order; an ordered partition writes one batch at a time.
          maxInFlight: ordered ? 1 : config.GATEWAY_MAX_BATCHES_IN_FLIGHT,
          // An interaction must not wait for others' handlers, and is retried on its own.
          maxEventsPerJob: lane === 'interactions' ? 1 : config.GATEWAY_JOB_MAX_EVENTS,
          ownsShard,
          logger: logger.child({ lane, queue: queueName }),
          jobOptions: laneJobOptions(topology, lane),
        });
        tasks.watch(`publish:${queueName}`, () => publisher.status());
        return { queue, publisher };
      });
      const publisherFor = ordered
        ? (payload: unknown) => partitions[partitionOf(orderingKeyOf(payload), partitions.length)]?.publisher
        : () => partitions[0]?.publisher;
      return [lane, { partitions, publisherFor, connection }] as const;
    }),
  );
  const allPartitions = [...lanes.values()].flatMap(({ partitions }) => partitions);
  const backpressure = new LaneBackpressure({
    queues: new Map([...lanes].map(([lane, { partitions }]) => [lane, partitions.map(({ queue }) => queue)])),
    buffered: (lane) =>
      (lanes.get(lane)?.partitions ?? []).reduce((sum, { publisher }) => sum + publisher.pendingCount, 0),
    eventsPerJob: (lane) => {
      const publishers = (lanes.get(lane)?.partitions ?? []).map(({ publisher }) => publisher.eventsPerJob);
      return publishers.length === 0
        ? 1
        : publishers.reduce((sum, value) => sum + value, 0) / publishers.length;
    },
    highWaterMark: config.GATEWAY_SHED_HIGH_WATER_MARK,
    maxBufferedEvents: config.GATEWAY_MAX_BUFFERED_EVENTS,
    logger,
  });
  tasks.every(
    'lane-depth-poll',
    config.GATEWAY_DEPTH_POLL_MS,
    () =>
      backpressure.poll().catch((error: unknown) => {
        logger.warn({ err: error }, 'reading lane depths failed; keeping the last known ones');
      }),
    { runNow: true },
  );
  tasks.every('shed-report', 10_000, () => backpressure.reportShed());
  const filter = config.GATEWAY_EVENTS
    ? EventFilter.fixed(config.GATEWAY_EVENTS)
    : await EventFilter.fromWorkerSubscriptions(config.REDIS_KEY_PREFIX, redis, subscriber, logger);

  const gatewayMetrics = registerGatewayMetrics(metrics, {
    shards: () => connections.snapshot(),
    lanes: () =>
      [...lanes].map(([lane, { partitions }]) => ({
        lane,
        published: partitions.reduce((sum, { publisher }) => sum + publisher.publishedCount, 0),
        pending: partitions.reduce((sum, { publisher }) => sum + publisher.pendingCount, 0),
        waiting: backpressure.depthOf(lane),
      })),
    shedCounts: () => backpressure.shedCounts(),
  });
  tasks.every('lost-lease-report', 1_000, () => {
    if (droppedForLostLease === 0) return;
    logger.warn(
      { dropped: droppedForLostLease },
      'dropped dispatches of shards whose lease this process lost (their next owner resumes them)',
    );
    gatewayMetrics.droppedForLostLease(droppedForLostLease);
    droppedForLostLease = 0;
  });
  // Ready when every shard it holds is running. A process holding none (the others hold every lease, as
  // while a replacement starts in a rolling restart) is a ready standby: it takes shards over as leases free.
  metrics.addReadinessCheck('shards', async () =>
    connections.snapshot().every((shard) => shard.state === 'running'),
  );
  const rest = new REST({ api: config.DISCORD_API_URL, version: '10' });
  rest.setToken(config.DISCORD_TOKEN);
  const sessions = new RedisSessionStore({ redis, keyPrefix: config.REDIS_KEY_PREFIX, logger });
  const connections = new ShardConnections({
    config,
    rest,
    redis,
    sessions,
    tasks,
    logger,
    onLifecycle: (kind) => gatewayMetrics.connection(kind),
    onDispatch: (dispatch, shardId) => {
      // A lease lost while this process was paused: the event is not ours to write (nor to count as
      // published); the shard's next owner resumes from the stored session and receives it again.
      if (!ownsShard(shardId)) {
        droppedForLostLease += 1;
        return;
      }
      const watermark = sessions.watermark(shardId);
      const lane = laneFor(dispatch.t);
      const publisher = filter.wants(dispatch.t) ? lanes.get(lane)?.publisherFor(dispatch.d) : undefined;
      if (!publisher || backpressure.shouldShed(lane, dispatch.t)) {
        watermark.skip(dispatch.s);
        return;
      }
      const ticket = watermark.accept(dispatch.s);
      const sessionId = sessions.sessionIdOf(shardId);
      publisher.publish(
        {
          shardId,
          sequence: dispatch.s,
          event: dispatch.t,
          payload: dispatch.d,
          receivedAt: Date.now(),
        } as GatewayEventEnvelope,
        ticket,
        // One job per dispatch of a session: Discord's replay after a resume re-sends the same (session,
        // sequence), and BullMQ drops a job whose id it still holds.
        sessionId ? `${shardId}-${sessionId}-${dispatch.s}` : undefined,
      );
    },
  });
  const shardCount = await connections.shardCount();
  // Published for operators' tools (`npm run cluster -- shards`).
  await redis.set(`${config.REDIS_KEY_PREFIX}:gateway:shard-count`, shardCount);
  const candidates = config.GATEWAY_SHARD_IDS ?? Array.from({ length: shardCount }, (_, shardId) => shardId);
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  ownership = new ShardOwnership({
    leases: new ShardLeases({
      redis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      owner,
      ttlMs: config.GATEWAY_LEASE_TTL_MS,
    }),
    membership: new GatewayMembership({
      redis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      member: owner,
      ttlMs: config.GATEWAY_LEASE_TTL_MS,
    }),
    candidates,
    capacity: config.GATEWAY_SHARD_CAPACITY ?? candidates.length,
    runner: connections,
    logger,
  });
  await ownership.tick();
  // Leases are renewed from now on: the first shards may wait seconds for their identify slots.
  tasks.every('gateway-membership', Math.min(1_000, Math.floor(config.GATEWAY_LEASE_TTL_MS / 3)), () =>
    ownership?.heartbeat().then(
      () => undefined,
      (error: unknown) => logger.warn({ err: error }, 'gateway membership heartbeat failed'),
    ),
  );
  tasks.every('shard-ownership', Math.min(1_000, Math.floor(config.GATEWAY_LEASE_TTL_MS / 3)), () =>
    ownership.tick().catch((error: unknown) => {
      logger.error({ err: error }, 'shard ownership tick failed; leases are renewed on the next one');
    }),
  );
  // Every shard's state, readable by any tool (`npm run cluster -- shards`); stale entries expire.
  tasks.every(
    'shard-state-publish',
    2_000,
    async () => {
      const pipeline = redis.pipeline();
      for (const shard of connections.snapshot()) {
        const key = `${config.REDIS_KEY_PREFIX}:shard-state:${shard.shardId}`;
        pipeline.hset(key, {
          owner,
          state: shard.state,
          detail: shard.detail,
          sequence: sessions.watermark(shard.shardId).value,
          lastEventAt: shard.lastEventAt ?? '',
          updatedAt: Date.now(),
        });
        pipeline.pexpire(key, 10_000);
      }
      await pipeline.exec();
    },
    { runNow: true },
  );
  await connections.started();
  const commands = new GatewayCommandRelay({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    ownedShards: () => ownership.shards,
    send: (shardId, payload) => connections.send(shardId, payload),
    logger,
  });
  tasks.every('gateway-commands', 100, () =>
    commands.poll().catch((error: unknown) => logger.warn({ err: error }, 'reading gateway commands failed')),
  );
  const watchdog = new ShardWatchdog({
    shards: () => connections.snapshot(),
    restart: async (shardId, reason) => {
      await connections.stop(shardId, `watchdog: ${reason}`);
      await connections.start(shardId);
    },
    stuckAfterMs: config.GATEWAY_WATCHDOG_STUCK_MS,
    silentAfterMs: config.GATEWAY_WATCHDOG_SILENT_MS,
    logger,
  });
  tasks.every('shard-watchdog', 1_000, () =>
    watchdog
      .check()
      .catch((error: unknown) => logger.error({ err: error }, 'shard watchdog failed to reconnect a shard')),
  );
  logger.info({ shardCount, shards: ownership.shards, owner }, 'gateway connected its shards');

  return {
    async stopIntake() {
      // A hand-off, not a logout: close with a code other than 1000/1001 so Discord keeps the sessions,
      // and keep them in Redis, so the next owner of each shard resumes instead of identifying.
      await ownership.releaseAll();
    },
    async drain(deadline) {
      await Promise.all(allPartitions.map(({ publisher }) => publisher.drain(deadline)));
    },
    async close() {
      await sessions
        .close()
        .catch((error: unknown) => logger.warn({ err: error }, 'final session write failed'));
      backpressure.reportShed();
      await filter.stop();
      await Promise.all(allPartitions.map(({ queue }) => queue.close()));
      const laneConnections = [...lanes.values()]
        .map(({ connection }) => connection)
        .filter((connection) => connection !== redis);
      await Promise.allSettled([redis.quit(), subscriber.quit(), ...laneConnections.map((c) => c.quit())]);
    },
  };
}
