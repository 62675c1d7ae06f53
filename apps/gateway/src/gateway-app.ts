import {
  createLaneRouter,
  createRedisConnection,
  type GatewayEventEnvelope,
  type Logger,
  laneNames,
  lanePolicies,
  laneQueueName,
  type ServiceLifecycle,
} from '@dgc/shared';
import { REST } from '@discordjs/rest';
import { WebSocketShardEvents } from '@discordjs/ws';
import { Queue } from 'bullmq';
import type { GatewayConfig } from './config.js';
import { BatchingPublisher } from './publish/batching-publisher.js';
import { EventFilter } from './publish/event-filter.js';
import { LaneBackpressure } from './publish/lane-backpressure.js';
import { createShardManager } from './shards/shard-manager.js';

/** Connects this process's shards and forwards every wanted dispatch to the gateway events queue. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<ServiceLifecycle> {
  const redis = createRedisConnection({ url: config.REDIS_URL, connectionName: 'gateway:commands' });
  const subscriber = createRedisConnection({
    url: config.REDIS_URL,
    connectionName: 'gateway:subscriptions',
  });
  const laneFor = createLaneRouter(config.GATEWAY_LANE_ROUTES);
  const lanes = new Map(
    laneNames.map((lane) => {
      const queue = new Queue<GatewayEventEnvelope>(laneQueueName(lane), {
        connection: redis,
        prefix: config.REDIS_KEY_PREFIX,
      });
      const publisher = new BatchingPublisher(queue, {
        maxEvents: config.GATEWAY_BATCH_MAX_EVENTS,
        maxWaitMs: Math.min(config.GATEWAY_BATCH_MAX_WAIT_MS, lanePolicies[lane].maxBatchWaitMs),
        maxInFlight: config.GATEWAY_MAX_BATCHES_IN_FLIGHT,
        logger: logger.child({ lane }),
        jobOptions: lanePolicies[lane].jobOptions,
      });
      return [lane, { queue, publisher }] as const;
    }),
  );
  const backpressure = new LaneBackpressure({
    queues: new Map([...lanes].map(([lane, { queue }]) => [lane, queue])),
    buffered: (lane) => lanes.get(lane)?.publisher.pendingCount ?? 0,
    highWaterMark: config.GATEWAY_SHED_HIGH_WATER_MARK,
    pollIntervalMs: config.GATEWAY_DEPTH_POLL_MS,
    logger,
  }).start();
  const filter = config.GATEWAY_EVENTS
    ? EventFilter.fixed(config.GATEWAY_EVENTS)
    : await EventFilter.fromWorkerSubscriptions(config.REDIS_KEY_PREFIX, redis, subscriber, logger);

  const rest = new REST({ api: config.DISCORD_API_URL, version: '10' });
  rest.setToken(config.DISCORD_TOKEN);
  const manager = createShardManager(config, rest, logger);
  manager.on(WebSocketShardEvents.Dispatch, (dispatch, shardId) => {
    if (!filter.wants(dispatch.t)) return;
    const lane = laneFor(dispatch.t);
    if (backpressure.shouldShed(lane, dispatch.t)) return;
    lanes.get(lane)?.publisher.publish({
      shardId,
      sequence: dispatch.s,
      event: dispatch.t,
      payload: dispatch.d,
      receivedAt: Date.now(),
    } as GatewayEventEnvelope);
  });
  await manager.connect();
  logger.info({ shardCount: await manager.getShardCount() }, 'gateway connected its shards');

  return {
    async stopIntake() {
      await manager.destroy({ reason: 'gateway shutting down' });
    },
    async drain(deadline) {
      await Promise.all([...lanes.values()].map(({ publisher }) => publisher.drain(deadline)));
    },
    async close() {
      backpressure.stop();
      await filter.stop();
      await Promise.all([...lanes.values()].map(({ queue }) => queue.close()));
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
    },
  };
}
