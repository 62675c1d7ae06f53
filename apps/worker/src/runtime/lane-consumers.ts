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
  type RedisTarget,
  type TaskMonitor,
} from '@dgc/shared';
import { Queue, Worker } from 'bullmq';
import type { EventDedupe } from '../dedupe/event-dedupe.js';
import { BatchProcessor } from './batch-processor.js';
import type { DependencyBreaker } from './dependency-breaker.js';
import { EventSlots } from './event-slots.js';
import { FailedEventRequeuer } from './failed-event-requeuer.js';
import type { HandlerInvoker } from './handler-invoker.js';
import type { JobProcessorObserver } from './worker-metrics.js';

export interface LaneConsumerSettings {
  lane: LaneName;
  topology: LaneTopology;
  /** Jobs of this lane this process runs at once. */
  concurrency: number;
  redisTarget: RedisTarget;
  keyPrefix: string;
  lockDurationMs: number;
  /** Runs the handlers of the lane's events; shared by every lane of the process. */
  invoker: HandlerInvoker;
  /** Claims events before their handlers run; absent = handlers must be idempotent. */
  dedupe?: EventDedupe;
  /** Pauses the lane's workers while a dependency its handlers need is down; shared by every lane. */
  breaker?: DependencyBreaker;
  observer?: JobProcessorObserver;
  logger: Logger;
}

/** The BullMQ workers that consume one lane in this process, and the connection they share. */
export interface LaneConsumers {
  lane: LaneName;
  concurrency: number;
  ordered: boolean;
  workers: Worker<GatewayEventJobData>[];
  /** Re-queues single events of the lane's batches (its queues are closed with the consumers). */
  requeuer: FailedEventRequeuer;
  connection: Redis;
}

/**
 * Starts the consumers of a lane and the processor their jobs go to. An unordered lane is one queue and one
 * BullMQ worker at the lane's concurrency (a spread lane: one worker per queue, sharing it). An ordered lane is one queue per partition, each limited to one
 * active job across the cluster (BullMQ global concurrency): this process runs a worker per partition and
 * caps the handlers it runs at once with a local limit, so `concurrency` means the same thing for both
 * kinds of lane.
 */
export async function startLaneConsumers(settings: LaneConsumerSettings): Promise<LaneConsumers> {
  const { lane, topology, concurrency, logger } = settings;
  const connection = createRedisConnection({
    target: settings.redisTarget,
    connectionName: `worker:consumer:${lane}`,
  });
  const ordered = isOrdered(topology, lane);
  const redisKeys = new RedisKeys(settings.keyPrefix);
  const requeuer = new FailedEventRequeuer({
    connection,
    keyPrefix: settings.keyPrefix,
    ordered,
    jobOptions: lanePolicies[lane].jobOptions,
  });
  const processor = new BatchProcessor({
    lane,
    ordered,
    // A job waiting here for a slot keeps its partition (and its lock, which BullMQ renews), so the
    // partition's next event cannot overtake it.
    eventSlots: new EventSlots(concurrency),
    inlineRetry: inlineRetryPolicy(lane),
    invoker: settings.invoker,
    requeuer,
    dedupe: settings.dedupe,
    breaker: settings.breaker,
    logger,
    observer: settings.observer,
  });
  const workers: Worker<GatewayEventJobData>[] = [];
  const queueNames = laneQueueNames(topology, lane);
  // A spread lane's queues share the lane's concurrency (the gateway spreads events evenly over them by
  // guild), so this process does not lock more of the lane's jobs than it has slots to run.
  const perQueueConcurrency = ordered ? 1 : Math.ceil(concurrency / queueNames.length);
  for (const queueName of queueNames) {
    if (ordered) {
      const queue = new Queue(queueName, { connection, prefix: redisKeys.queuePrefix(queueName) });
      await queue.setGlobalConcurrency(1);
      await queue.close();
    }
    const worker = new Worker<GatewayEventJobData>(
      queueName,
      (job, token, signal) => processor.process(job, token, signal),
      {
        connection,
        prefix: redisKeys.queuePrefix(queueName),
        concurrency: perQueueConcurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.lockDurationMs,
      },
    );
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
  settings.breaker?.guard(lane, workers);
  return { lane, concurrency, ordered, workers, connection, requeuer };
}

/** Reports each lane's consumers in the process's task list: running, paused, or some partitions paused. */
export function watchLaneConsumers(tasks: TaskMonitor, lanes: readonly LaneConsumers[]): void {
  for (const { lane, workers, ordered, concurrency } of lanes) {
    tasks.watch(`consume:${lane}`, () => {
      const running = workers.filter((worker) => worker.isRunning() && !worker.isPaused()).length;
      return {
        state: running === workers.length ? 'running' : running === 0 ? 'paused' : 'waiting',
        detail:
          workers.length > 1
            ? `${running}/${workers.length} ${ordered ? 'partitions' : 'queues'}, concurrency ${concurrency}`
            : `concurrency ${concurrency}`,
      };
    });
  }
}

/** The lanes this process consumes, for its start-up log: concurrency, and partitions of ordered lanes. */
export function describeLaneConsumers(lanes: readonly LaneConsumers[]) {
  return Object.fromEntries(
    lanes.map(({ lane, concurrency, ordered, workers }) => [
      lane,
      ordered
        ? { concurrency, partitions: workers.length }
        : workers.length > 1
          ? { concurrency, queues: workers.length }
          : concurrency,
    ]),
  );
}
