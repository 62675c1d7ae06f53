import {
  createRedisConnection,
  type LaneName,
  type LaneTopology,
  laneNames,
  laneQueueNames,
  type Redis,
  RedisKeys,
  type RedisTarget,
  singleRedis,
  unlinkKeysMatching,
  unorderedTopology,
} from '@dgc/shared';
import { Queue } from 'bullmq';
import { redisUrl } from './services.js';

/** The lane queues of a test's key prefix, for assertions on their counts. */
export class EventsQueueProbe {
  readonly #keyPrefix: string;
  readonly #redis: Redis;
  readonly #queues: Map<LaneName, Queue[]>;

  /** `target`: the test's own Redis when it runs one (the shared one otherwise). */
  constructor(
    keyPrefix: string,
    topology: LaneTopology = unorderedTopology,
    target: RedisTarget = singleRedis(redisUrl),
  ) {
    this.#keyPrefix = keyPrefix;
    this.#redis = createRedisConnection({ target, connectionName: 'test:probe' });
    this.#queues = new Map(
      laneNames.map((lane) => [
        lane,
        laneQueueNames(topology, lane).map(
          (name) =>
            new Queue(name, { connection: this.#redis, prefix: new RedisKeys(keyPrefix).queuePrefix(name) }),
        ),
      ]),
    );
  }

  /** A connection for the test's own reads. */
  get redis(): Redis {
    return this.#redis;
  }

  /** The queue of an unordered lane. */
  queue(lane: LaneName): Queue {
    const [queue, ...partitions] = this.#queues.get(lane) ?? [];
    if (!queue || partitions.length > 0) throw new Error(`lane ${lane} is not one queue`);
    return queue;
  }

  /** Jobs not yet finished in any lane: waiting, active, delayed or prioritized. */
  async unfinished(): Promise<number> {
    const counts = await Promise.all(
      [...this.#queues.values()]
        .flat()
        .map((queue) =>
          queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
        ),
    );
    return counts.flatMap((count) => Object.values(count)).reduce((sum, count) => sum + count, 0);
  }

  /** Events waiting in a lane: a job holds one event or a batch (`{ events }`). */
  async waitingEvents(lane: LaneName): Promise<number> {
    const queues = this.#queues.get(lane) ?? [];
    const jobs = (await Promise.all(queues.map((queue) => queue.getWaiting(0, -1)))).flat();
    return jobs.reduce((sum, job) => {
      const events = (job.data as { events?: unknown[] }).events;
      return sum + (Array.isArray(events) ? events.length : 1);
    }, 0);
  }

  /**
   * The failed jobs with why they failed (a stall past BullMQ's limit, a handler error, a lost lock), so a
   * test that expects none says which it got.
   */
  async failedJobs(): Promise<
    { queue: string; id?: string; name: string; reason: string; attempts: number }[]
  > {
    const jobs = await Promise.all(
      [...this.#queues.values()].flat().map(async (queue) =>
        (await queue.getFailed(0, 50)).map((job) => ({
          queue: queue.name,
          id: job.id,
          name: job.name,
          reason: job.failedReason,
          attempts: job.attemptsMade,
        })),
      ),
    );
    return jobs.flat();
  }

  async failed(): Promise<number> {
    const counts = await Promise.all(
      [...this.#queues.values()].flat().map((queue) => queue.getFailedCount()),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Deletes every key under the test's prefix and closes the connection. */
  async removeAndClose(): Promise<void> {
    await unlinkKeysMatching(this.#redis, new RedisKeys(this.#keyPrefix).everything());
    await Promise.all([...this.#queues.values()].flat().map((queue) => queue.close()));
    await this.#redis.quit();
  }
}
