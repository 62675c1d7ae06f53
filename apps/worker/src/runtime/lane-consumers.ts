import {
  createRedisConnection,
  type GatewayEventJobData,
  inlineRetryPolicy,
  isOrdered,
  type LaneName,
  type LaneTopology,
  type Logger,
  lanePolicies,
  laneQueueNames,
  type Redis,
  RedisKeys,
} from '@dgc/shared';
import { Queue, Worker } from 'bullmq';
import { EventSlots } from './event-slots.js';
import type { JobProcessor, LaneProcessing } from './job-processor.js';

export interface LaneConsumerSettings {
  lane: LaneName;
  topology: LaneTopology;
  /** Jobs of this lane this process runs at once. */
  concurrency: number;
  redisUrl: string;
  keyPrefix: string;
  lockDurationMs: number;
  /** Builds the lane's processor from how the lane runs (see `createJobProcessor`). */
  processorFor(lane: LaneProcessing): JobProcessor;
  logger: Logger;
}

/** The BullMQ workers that consume one lane in this process, and the connection they share. */
export interface LaneConsumers {
  lane: LaneName;
  concurrency: number;
  ordered: boolean;
  workers: Worker<GatewayEventJobData>[];
  /** Queues this lane re-queues single events to (closed with the consumers). */
  requeueQueues: Map<string, Queue<GatewayEventJobData>>;
  connection: Redis;
}

/**
 * Starts the consumers of a lane. An unordered lane is one queue and one BullMQ worker at the lane's
 * concurrency. An ordered lane is one queue per partition, each limited to one active job across the
 * cluster (BullMQ global concurrency): this process runs a worker per partition and caps the handlers it
 * runs at once with a local limit, so `concurrency` means the same thing for both kinds of lane.
 */
export async function startLaneConsumers(settings: LaneConsumerSettings): Promise<LaneConsumers> {
  const { lane, topology, concurrency, logger } = settings;
  const connection = createRedisConnection({
    url: settings.redisUrl,
    connectionName: `worker:consumer:${lane}`,
  });
  const ordered = isOrdered(topology, lane);
  const redisKeys = new RedisKeys(settings.keyPrefix);
  const requeueQueues = new Map<string, Queue<GatewayEventJobData>>();
  const processor = settings.processorFor({
    lane,
    ordered,
    // A job waiting here for a slot keeps its partition (and its lock, which BullMQ renews), so the
    // partition's next event cannot overtake it.
    eventSlots: new EventSlots(concurrency),
    inlineRetry: inlineRetryPolicy(lane),
    requeueOptions: lanePolicies[lane].jobOptions,
    async requeue(queueName, jobs) {
      let queue = requeueQueues.get(queueName);
      if (!queue) {
        queue = new Queue<GatewayEventJobData>(queueName, {
          connection,
          prefix: redisKeys.queuePrefix(queueName),
        });
        requeueQueues.set(queueName, queue);
      }
      await queue.addBulk(jobs);
    },
  });
  const workers: Worker<GatewayEventJobData>[] = [];
  for (const queueName of laneQueueNames(topology, lane)) {
    if (ordered) {
      const queue = new Queue(queueName, { connection, prefix: redisKeys.queuePrefix(queueName) });
      await queue.setGlobalConcurrency(1);
      await queue.close();
    }
    const worker = new Worker<GatewayEventJobData>(queueName, processor, {
      connection,
      prefix: redisKeys.queuePrefix(queueName),
      concurrency: ordered ? 1 : concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.lockDurationMs,
    });
    worker.on('failed', (job, error) => {
      logger.warn(
        { lane, queue: queueName, jobId: job?.id, event: job?.name, attempt: job?.attemptsMade, err: error },
        'job failed',
      );
    });
    worker.on('error', (error) => logger.error({ lane, queue: queueName, err: error }, 'worker error'));
    workers.push(worker);
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return { lane, concurrency, ordered, workers, connection, requeueQueues };
}
