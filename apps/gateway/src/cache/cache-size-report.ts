import { type CacheEntityKind, CrossSlotPipeline, type Redis, RedisKeys, scanKeys } from '@dgc/shared';

export interface CacheSizeReportOptions {
  redis: Redis;
  keyPrefix: string;
  /** A count is reused for this long: counting walks every cached guild. */
  maxAgeMs?: number;
}

/**
 * Entries in the shared state cache by entity, for metrics. Counted by walking the guild keys with SCAN
 * and HLEN in pipelines (the cache keeps no counters, which replays would skew), at most once per
 * `maxAgeMs` whatever the scrape rate.
 */
export class CacheSizeReport {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #maxAgeMs: number;
  #last: { at: number; sizes: Promise<Record<CacheEntityKind, number>> } | undefined;

  constructor(options: CacheSizeReportOptions) {
    this.#redis = options.redis;
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#maxAgeMs = options.maxAgeMs ?? 30_000;
  }

  sizes(): Promise<Record<CacheEntityKind, number>> {
    if (!this.#last || Date.now() - this.#last.at > this.#maxAgeMs) {
      const sizes = this.#count();
      this.#last = { at: Date.now(), sizes };
      sizes.catch(() => {
        this.#last = undefined;
      });
    }
    return this.#last.sizes;
  }

  async #count(): Promise<Record<CacheEntityKind, number>> {
    const sizes: Record<CacheEntityKind, number> = { guilds: 0, channels: 0, roles: 0, members: 0 };
    // Every primary of a Redis Cluster in turn; a guild's keys share its tag, so they are on one node.
    for await (const keys of scanKeys(this.#redis, this.#keys.guildCachePattern())) {
      const pipeline = new CrossSlotPipeline(this.#redis);
      for (const key of keys) {
        for (const collection of ['channels', 'roles', 'members'] as const) {
          const counted = this.#keys.guildCache(this.#keys.guildIdOfCacheKey(key))[collection];
          pipeline.add(counted, (commands) => commands.hlen(counted));
        }
      }
      const results = await pipeline.exec();
      sizes.guilds += keys.length;
      results.forEach(([, count], index) => {
        const entity = (['channels', 'roles', 'members'] as const)[index % 3] ?? 'channels';
        sizes[entity] += Number(count ?? 0);
      });
    }
    return sizes;
  }
}
