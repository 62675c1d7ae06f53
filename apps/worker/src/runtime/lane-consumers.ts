import {
  createRedisConnection,
  type GatewayEventEnvelope,
  inlineRetryPolicy,
  isOrdered,
  type LaneName,
  type LaneTopology,
  type Logger,
  laneQueueNames,
  type Redis,
} from '@dgc/shared';
import { type Job, Queue, Worker } from 'bullmq';
import pLimit from 'p-limit';
import { retryInPlace } from './retry-in-place.js';

type JobProcessor = (job: Job<GatewayEventEnvelope>, token?: string, signal?: AbortSignal) => Promise<void>;

export interface LaneConsumerSettings {
  lane: LaneName;
  topology: LaneTopology;
  /** Jobs of this lane this process runs at once. */
  concurrency: number;
  redisUrl: string;
  keyPrefix: string;
  lockDurationMs: number;
  processor: JobProcessor;
  logger: Logger;
}

/** The BullMQ workers that consume one lane in this process, and the connection they share. */
export interface LaneConsumers {
  lane: LaneName;
  concurrency: number;
  ordered: boolean;
  workers: Worker<GatewayEventEnvelope>[];
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
  const processor = ordered ? orderedProcessor(settings) : settings.processor;
  const workers: Worker<GatewayEventEnvelope>[] = [];
  for (const queueName of laneQueueNames(topology, lane)) {
    if (ordered) {
      const queue = new Queue(queueName, { connection, prefix: settings.keyPrefix });
      await queue.setGlobalConcurrency(1);
      await queue.close();
    }
    const worker = new Worker<GatewayEventEnvelope>(queueName, processor, {
      connection,
      prefix: settings.keyPrefix,
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
  return { lane, concurrency, ordered, workers, connection };
}

function orderedProcessor(settings: LaneConsumerSettings): JobProcessor {
  const { lane, logger } = settings;
  // A job waiting here for a slot keeps its partition (and its lock, which BullMQ renews), so the
  // partition's next event cannot overtake it.
  const slots = pLimit(settings.concurrency);
  const retrying = retryInPlace(inlineRetryPolicy(lane), settings.processor, (job, attempt, error) =>
    logger.warn(
      { lane, jobId: job.id, event: job.name, attempt, err: error },
      'ordered job failed; retrying in place',
    ),
  );
  return (job, token, signal) => slots(() => retrying(job, token, signal));
}
