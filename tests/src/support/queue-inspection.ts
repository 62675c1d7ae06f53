import { createRedisConnection, QueueNames } from '@dgc/shared';
import { Queue } from 'bullmq';
import { redisUrl } from './services.js';

/** The gateway events queue of a test's key prefix, for assertions on its counts. */
export class EventsQueueProbe {
  readonly queue: Queue;
  readonly #keyPrefix: string;
  readonly #redis;

  constructor(keyPrefix: string) {
    this.#keyPrefix = keyPrefix;
    this.#redis = createRedisConnection({ url: redisUrl, connectionName: 'test:probe' });
    this.queue = new Queue(QueueNames.gatewayEvents, { connection: this.#redis, prefix: keyPrefix });
  }

  /** Jobs not yet finished: waiting, active, delayed or prioritized. */
  async unfinished(): Promise<number> {
    const counts = await this.queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async failed(): Promise<number> {
    return this.queue.getFailedCount();
  }

  /** Deletes every key under the test's prefix and closes the connection. */
  async removeAndClose(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', `${this.#keyPrefix}:*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await this.#redis.del(...keys);
    } while (cursor !== '0');
    await this.queue.close();
    await this.#redis.quit();
  }
}
