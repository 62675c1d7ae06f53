/** Discord's epoch: the first millisecond of 2015. */
export const discordEpochMs = 1_420_070_400_000n;

/** The creation time encoded in a snowflake. */
export function snowflakeTimestampMs(id: string): number {
  return Number((BigInt(id) >> 22n) + discordEpochMs);
}

/** The shard a guild's events go to: `(guild_id >> 22) % num_shards`. */
export function shardIdForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
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
