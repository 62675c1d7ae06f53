import { laneQueueName, type Redis, RedisKeys } from '@dgc/shared';

/**
 * Counts the events the gateway has put in the events lane by reading each new job once (a job holds one
 * event or a batch), so polling costs Redis a list read and one hash read per new job.
 */
export class EnqueuedEvents {
  readonly #redis: Redis;
  readonly #waitKey: string;
  readonly #jobKeyPrefix: string;
  readonly #seen = new Set<string>();
  readonly samplePayloads: string[] = [];
  count = 0;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#waitKey = new RedisKeys(keyPrefix).queueKey(laneQueueName('events'), 'wait');
    this.#jobKeyPrefix = new RedisKeys(keyPrefix).queueKey(laneQueueName('events'), '');
  }

  async poll(): Promise<number> {
    const ids = (await this.#redis.lrange(this.#waitKey, 0, -1)).filter((id) => !this.#seen.has(id));
    if (ids.length === 0) return this.count;
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hget(`${this.#jobKeyPrefix}${id}`, 'data');
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([, data], index) => {
      this.#seen.add(ids[index] ?? '');
      if (typeof data !== 'string') return;
      const parsed = JSON.parse(data) as { events?: unknown[] };
      const batch = Array.isArray(parsed.events) ? parsed.events : [parsed];
      this.count += batch.length;
      for (const event of batch) {
        if (this.samplePayloads.length < 1_000) this.samplePayloads.push(JSON.stringify(event));
      }
    });
    return this.count;
  }
}
