import { type GatewayEventEnvelope, type GatewayEventJobData, type Redis, RedisKeys } from '@dgc/shared';
import { type JobsOptions, Queue, UnrecoverableError } from 'bullmq';

/** An event taken out of its batch to run again as a job of its own. */
export interface EventToRequeue {
  envelope: GatewayEventEnvelope;
  /** Why it failed; undefined = it never ran (another worker held its claim). */
  error?: Error;
}

export interface FailedEventRequeuerOptions {
  /** The lane's consumer connection: re-queueing is rare, it needs none of its own. */
  connection: Redis;
  keyPrefix: string;
  /** An ordered lane has already retried a failed event in place. */
  ordered: boolean;
  /** The lane's job options (attempts and back-off), given to every re-queued event. */
  jobOptions: JobsOptions;
}

/**
 * Gives the events of a batch that could not finish a job of their own on the queue the batch came from,
 * so the batch completes and no event runs twice because a neighbour failed. An event that can still
 * succeed is retried with the lane's back-off; one that cannot — an unrecoverable error, or an ordered
 * lane's event that already used its retries in place — is parked in the failed set with its cause.
 */
export class FailedEventRequeuer {
  readonly #connection: Redis;
  readonly #keys: RedisKeys;
  readonly #ordered: boolean;
  readonly #jobOptions: JobsOptions;
  /** By queue name, made on first use (a lane has one queue per partition). */
  readonly #queues = new Map<string, Queue<GatewayEventJobData>>();

  constructor(options: FailedEventRequeuerOptions) {
    this.#connection = options.connection;
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#ordered = options.ordered;
    this.#jobOptions = options.jobOptions;
  }

  /** Adds one job per event to `queueName` in one round trip; says how many retry and how many were parked. */
  async requeue(
    queueName: string,
    events: readonly EventToRequeue[],
  ): Promise<{ retried: number; parked: number }> {
    const jobs = events.map((event) => this.#jobOf(event));
    await this.#queue(queueName).addBulk(jobs);
    const parked = jobs.filter((job) => 'rejection' in job.data).length;
    return { retried: jobs.length - parked, parked };
  }

  /** Closes the queues opened to re-queue (the connection belongs to the lane's consumers). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()].map((queue) => queue.close()));
  }

  #queue(queueName: string): Queue<GatewayEventJobData> {
    let queue = this.#queues.get(queueName);
    if (!queue) {
      queue = new Queue<GatewayEventJobData>(queueName, {
        connection: this.#connection,
        prefix: this.#keys.queuePrefix(queueName),
      });
      this.#queues.set(queueName, queue);
    }
    return queue;
  }

  #jobOf({ envelope, error }: EventToRequeue): {
    name: string;
    data: GatewayEventJobData;
    opts: JobsOptions;
  } {
    if (error instanceof UnrecoverableError || (error && this.#ordered)) {
      // Retrying cannot help (or an ordered lane already retried in place): park it in the failed set.
      return {
        name: envelope.event,
        data: { envelope, rejection: { name: error.name, message: describe(error) } },
        opts: { ...this.#jobOptions, attempts: 1 },
      };
    }
    const backoff = this.#jobOptions.backoff;
    const delay = typeof backoff === 'object' ? (backoff.delay ?? 1_000) : (backoff ?? 1_000);
    return { name: envelope.event, data: envelope, opts: { ...this.#jobOptions, delay } };
  }
}

function describe(error: Error): string {
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
