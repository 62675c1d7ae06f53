import { type CacheEntityKind, CrossSlotPipeline, type Redis, RedisKeys, scanKeys } from '@dgc/shared';
import { entityCounts } from './guild-replacement.js';

export interface CacheSizeReportOptions {
  redis: Redis;
  keyPrefix: string;
  /** A count is reused for this long: counting walks every cached guild. */
  maxAgeMs?: number;
}

/** The collections counted per guild with HLEN (emojis are one JSON array, read and counted). */
const hashCollections = ['channels', 'roles', 'members', 'threads', 'threadMembers'] as const;

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
    const sizes = entityCounts();
    const perGuild = hashCollections.length + 1;
    // Every primary of a Redis Cluster in turn; a guild's keys share its tag, so they are on one node.
    for await (const keys of scanKeys(this.#redis, this.#keys.guildCachePattern())) {
      const pipeline = new CrossSlotPipeline(this.#redis);
      for (const key of keys) {
        const guildKeys = this.#keys.guildCache(this.#keys.guildIdOfCacheKey(key));
        for (const collection of hashCollections) {
          const counted = guildKeys[collection];
          pipeline.add(counted, (commands) => commands.hlen(counted));
        }
        pipeline.add(guildKeys.emojis, (commands) => commands.get(guildKeys.emojis));
      }
      const results = await pipeline.exec();
      sizes.guilds += keys.length;
      results.forEach(([, reply], index) => {
        const collection = hashCollections[index % perGuild];
        if (collection) sizes[collection] += Number(reply ?? 0);
        else if (typeof reply === 'string') sizes.emojis += (JSON.parse(reply) as unknown[]).length;
      });
    }
    return sizes;
  }
}
