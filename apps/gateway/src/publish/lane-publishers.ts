import {
  createRedisConnection,
  type GatewayEventJobData,
  isOrdered,
  type LaneName,
  type LaneTopology,
  type Logger,
  laneJobOptions,
  laneNames,
  lanePolicies,
  laneQueueNames,
  orderingKeyOf,
  partitionOf,
  type Redis,
  RedisKeys,
  redisTargetOf,
  type TaskMonitor,
} from '@dgc/shared';
import { Queue } from 'bullmq';
import type { HeldShardLeases } from '../cluster/held-shard-leases.js';
import type { GatewayConfig } from '../config.js';
import { BatchingPublisher } from './batching-publisher.js';

export interface LanePublishersOptions {
  config: GatewayConfig;
  topology: LaneTopology;
  /** The process's command connection, shared by every lane but interactions. */
  redis: Redis;
  /** Checked before each batch write: events of a shard whose lease was lost are dropped. */
  leases: Pick<HeldShardLeases, 'holds'>;
  tasks: TaskMonitor;
  logger: Logger;
}

/** A lane's queues and their publishers: one, or one per partition when the lane is ordered. */
interface LaneQueues {
  ordered: boolean;
  queues: Queue<GatewayEventJobData>[];
  publishers: BatchingPublisher[];
}

/**
 * Every lane's BullMQ queues, each fed by its own batching publisher. An ordered lane is split into
 * partition queues by the event's guild (else channel, else user), so one guild's events stay in one queue;
 * a spread lane (SPREAD_LANES) is split the same way, only to spread its load over Redis Cluster nodes.
 */
export class LanePublishers {
  readonly #lanes: Record<LaneName, LaneQueues>;
  readonly #interactionsConnection: Redis;

  constructor({ config, topology, redis, leases, tasks, logger }: LanePublishersOptions) {
    // Interactions get their own connection: on a shared one their writes would wait behind large
    // batches of ordinary events in the same command pipeline.
    this.#interactionsConnection = createRedisConnection({
      target: redisTargetOf(config),
      connectionName: 'gateway:interactions',
    });
    const redisKeys = new RedisKeys(config.REDIS_KEY_PREFIX);
    const laneOf = (lane: LaneName): LaneQueues => {
      const ordered = isOrdered(topology, lane);
      const connection = lane === 'interactions' ? this.#interactionsConnection : redis;
      const queues = laneQueueNames(topology, lane).map(
        (queueName) =>
          new Queue<GatewayEventJobData>(queueName, {
            connection,
            prefix: redisKeys.queuePrefix(queueName),
          }),
      );
      const publishers = queues.map((queue) => {
        const publisher = new BatchingPublisher(queue, {
          maxEvents: config.GATEWAY_BATCH_MAX_EVENTS,
          maxWaitMs: Math.min(config.GATEWAY_BATCH_MAX_WAIT_MS, lanePolicies[lane].maxBatchWaitMs),
          // Concurrent batches could land out of order; an ordered partition writes one batch at a time.
          maxInFlight: ordered ? 1 : config.GATEWAY_MAX_BATCHES_IN_FLIGHT,
          // An interaction must not wait for others' handlers, and is retried on its own.
          maxEventsPerJob: lane === 'interactions' ? 1 : config.GATEWAY_JOB_MAX_EVENTS,
          leases,
          logger: logger.child({ lane, queue: queue.name }),
          jobOptions: laneJobOptions(topology, lane),
        });
        tasks.watch(`publish:${queue.name}`, () => publisher.status());
        return publisher;
      });
      return { ordered, queues, publishers };
    };
    this.#lanes = { interactions: laneOf('interactions'), events: laneOf('events'), bulk: laneOf('bulk') };
  }

  /**
   * The publisher of the lane's queue for this payload's guild: the partition that keeps it in order on an
   * ordered lane, one of the parts of a spread lane (SPREAD_LANES), the lane's only queue otherwise.
   */
  publisherFor(lane: LaneName, payload: unknown): BatchingPublisher | undefined {
    const { publishers } = this.#lanes[lane];
    return publishers.length === 1
      ? publishers[0]
      : publishers[partitionOf(orderingKeyOf(payload), publishers.length)];
  }

  queuesOf(lane: LaneName): readonly Queue<GatewayEventJobData>[] {
    return this.#lanes[lane].queues;
  }

  /** Events of the lane accepted but not yet confirmed in Redis (read per event by the shedding decision). */
  pendingCount(lane: LaneName): number {
    const { publishers } = this.#lanes[lane];
    let pending = 0;
    // An index loop: no iterator, nothing allocated on the event path.
    for (let index = 0; index < publishers.length; index += 1)
      pending += publishers[index]?.pendingCount ?? 0;
    return pending;
  }

  /** Events of the lane written to Redis since start. */
  publishedCount(lane: LaneName): number {
    let published = 0;
    for (const publisher of this.#lanes[lane].publishers) published += publisher.publishedCount;
    return published;
  }

  /** Average events per job the lane's publishers wrote lately. */
  eventsPerJob(lane: LaneName): number {
    const { publishers } = this.#lanes[lane];
    if (publishers.length === 0) return 1;
    let sum = 0;
    for (const publisher of publishers) sum += publisher.eventsPerJob;
    return sum / publishers.length;
  }

  /** Resolves once every accepted event is in Redis, or rejects when `deadline` aborts first. */
  async drain(deadline: AbortSignal): Promise<void> {
    const publishers = laneNames.flatMap((lane) => this.#lanes[lane].publishers);
    await Promise.all(publishers.map((publisher) => publisher.drain(deadline)));
  }

  /** Closes every queue and the interactions connection (the shared one belongs to the caller). */
  async close(): Promise<void> {
    const queues = laneNames.flatMap((lane) => this.#lanes[lane].queues);
    await Promise.all(queues.map((queue) => queue.close()));
    await this.#interactionsConnection.quit().catch(() => {});
  }
}
