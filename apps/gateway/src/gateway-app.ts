import {
  createRedisConnection,
  type GatewayEventEnvelope,
  type Logger,
  QueueNames,
  type ServiceLifecycle,
} from '@dgc/shared';
import { REST } from '@discordjs/rest';
import { WebSocketShardEvents } from '@discordjs/ws';
import { Queue } from 'bullmq';
import type { GatewayConfig } from './config.js';
import { BatchingPublisher } from './publish/batching-publisher.js';
import { EventFilter } from './publish/event-filter.js';
import { createShardManager } from './shards/shard-manager.js';

/** Job options for gateway events: bounded retention so Redis memory stays flat under sustained load. */
const eventJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
} as const;

/** Connects this process's shards and forwards every wanted dispatch to the gateway events queue. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<ServiceLifecycle> {
  const redis = createRedisConnection({ url: config.REDIS_URL, connectionName: 'gateway:commands' });
  const subscriber = createRedisConnection({
    url: config.REDIS_URL,
    connectionName: 'gateway:subscriptions',
  });
  const queue = new Queue<GatewayEventEnvelope>(QueueNames.gatewayEvents, {
    connection: redis,
    prefix: config.REDIS_KEY_PREFIX,
  });
  const publisher = new BatchingPublisher(queue, {
    maxEvents: config.GATEWAY_BATCH_MAX_EVENTS,
    maxWaitMs: config.GATEWAY_BATCH_MAX_WAIT_MS,
    maxInFlight: config.GATEWAY_MAX_BATCHES_IN_FLIGHT,
    logger,
    jobOptions: eventJobOptions,
  });
  const filter = config.GATEWAY_EVENTS
    ? EventFilter.fixed(config.GATEWAY_EVENTS)
    : await EventFilter.fromWorkerSubscriptions(config.REDIS_KEY_PREFIX, redis, subscriber, logger);

  const rest = new REST({ api: config.DISCORD_API_URL, version: '10' });
  rest.setToken(config.DISCORD_TOKEN);
  const manager = createShardManager(config, rest, logger);
  manager.on(WebSocketShardEvents.Dispatch, (dispatch, shardId) => {
    if (!filter.wants(dispatch.t)) return;
    publisher.publish({
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
    drain: (deadline) => publisher.drain(deadline),
    async close() {
      await filter.stop();
      await queue.close();
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
    },
  };
}
