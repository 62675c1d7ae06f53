/** Discord's epoch: the first millisecond of 2015. */
export const discordEpochMs = 1_420_070_400_000n;

/** The creation time encoded in a snowflake. */
export function snowflakeTimestampMs(id: string): number {
  return Number((BigInt(id) >> 22n) + discordEpochMs);
}

const guildRoutingKeys = new Map<string, number>();

/**
 * `guild_id >> 22` as a plain number (42 bits fit a double exactly), cached: routing runs for every event and
 * every session, and BigInt arithmetic there dominated the simulator's profile.
 */
export function routingKeyOf(guildId: string): number {
  let key = guildRoutingKeys.get(guildId);
  if (key === undefined) {
    key = Number(BigInt(guildId) >> 22n);
    if (guildRoutingKeys.size > 1_000_000) guildRoutingKeys.clear();
    guildRoutingKeys.set(guildId, key);
  }
  return key;
}

/** The shard a guild's events go to: `(guild_id >> 22) % num_shards`. */
export function shardIdForGuild(guildId: string, shardCount: number): number {
  return routingKeyOf(guildId) % shardCount;
}

/**
 * Generates real snowflakes: 42 bits of milliseconds since the Discord epoch, 5 bits worker, 5 bits
 * process, 12 bits increment. Ids from one generator are unique and increase with time, as Discord's do.
 */
export class SnowflakeGenerator {
  readonly #workerId: bigint;
  #lastMs = 0n;
  #increment = 0n;

  constructor(workerId = 1) {
    this.#workerId = BigInt(workerId & 0x1f);
  }

  /** A snowflake for "now" (or a given time); strictly greater than the previous one for the same time. */
  next(atMs: number = Date.now()): string {
    let ms = BigInt(Math.floor(atMs));
    if (ms <= this.#lastMs) {
      ms = this.#lastMs;
      this.#increment += 1n;
      if (this.#increment > 0xfffn) {
        ms += 1n;
        this.#increment = 0n;
      }
    } else {
      this.#increment = 0n;
    }
    this.#lastMs = ms;
    return (((ms - discordEpochMs) << 22n) | (this.#workerId << 17n) | this.#increment).toString();
  }
}
