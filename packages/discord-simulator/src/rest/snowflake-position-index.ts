/** A snowflake as two exact numbers: the digits above the last nine, and the last nine. */
interface SnowflakeParts {
  high: number;
  low: number;
}

const snowflakePattern = /^(?:0|[1-9]\d{0,19})$/;

function partsOf(id: string): SnowflakeParts | undefined {
  if (!snowflakePattern.test(id)) return undefined;
  return { high: id.length > 9 ? Number(id.slice(0, -9)) : 0, low: Number(id.slice(-9)) };
}

/**
 * Positions (0, 1, 2…) of the newest `capacity` ids added, looked up by id, with no string per id on the
 * heap. The simulator keeps every generated message for edits and deletes: at thousands of messages per
 * second, a `Map` keyed by id strings filled the old generation with strings the collector marked on each
 * pass, and its pauses delayed the callbacks the benchmarks time. Here an id is stored as two numbers in
 * typed arrays (a ring by position) and found through a map of small-integer hashes, which the collector
 * does not trace; the rare id whose hash another kept id holds goes to a small string-keyed map.
 */
export class SnowflakePositionIndex {
  readonly #capacity: number;
  readonly #hashMask: number;
  readonly #high: Float64Array;
  readonly #low: Float64Array;
  readonly #positionByHash = new Map<number, number>();
  readonly #collided = new Map<string, number>();
  readonly #collidedIdByPosition = new Map<number, string>();
  #count = 0;

  /** `hashBits` below 30 only to force hash collisions in tests. */
  constructor(capacity: number, hashBits = 30) {
    this.#capacity = capacity;
    this.#hashMask = 2 ** hashBits - 1;
    this.#high = new Float64Array(capacity).fill(Number.NaN);
    this.#low = new Float64Array(capacity).fill(Number.NaN);
  }

  /** Adds `id` at the next position, which it returns; the id `capacity` positions older is forgotten. */
  add(id: string): number {
    const position = this.#count;
    this.#count += 1;
    if (position >= this.#capacity) this.#forgetPosition(position - this.#capacity);
    const slot = position % this.#capacity;
    const parts = partsOf(id);
    this.#high[slot] = parts?.high ?? Number.NaN;
    this.#low[slot] = parts?.low ?? Number.NaN;
    const hash = parts && this.#hash(parts);
    if (hash !== undefined && !this.#positionByHash.has(hash)) this.#positionByHash.set(hash, position);
    else {
      this.#collided.set(id, position);
      this.#collidedIdByPosition.set(position, id);
    }
    return position;
  }

  /** The position of `id`, if it is among the newest `capacity` and was not forgotten. */
  positionOf(id: string): number | undefined {
    const collided = this.#collided.get(id);
    if (collided !== undefined) return collided;
    const parts = partsOf(id);
    if (!parts) return undefined;
    const position = this.#positionByHash.get(this.#hash(parts));
    if (position === undefined) return undefined;
    const slot = position % this.#capacity;
    return this.#high[slot] === parts.high && this.#low[slot] === parts.low ? position : undefined;
  }

  /** Forgets `id` (a deleted message); no-op when it is not kept. */
  forget(id: string): void {
    const position = this.positionOf(id);
    if (position !== undefined) this.#forgetPosition(position);
  }

  #forgetPosition(position: number): void {
    const collidedId = this.#collidedIdByPosition.get(position);
    if (collidedId !== undefined) {
      this.#collidedIdByPosition.delete(position);
      this.#collided.delete(collidedId);
      return;
    }
    const slot = position % this.#capacity;
    const high = this.#high[slot] ?? Number.NaN;
    const low = this.#low[slot] ?? Number.NaN;
    if (Number.isNaN(high) || Number.isNaN(low)) return;
    const hash = this.#hash({ high, low });
    if (this.#positionByHash.get(hash) === position) this.#positionByHash.delete(hash);
  }

  #hash({ high, low }: SnowflakeParts): number {
    const highBits = Math.imul((high % 2 ** 32) | 0, 0x85ebca6b) ^ Math.floor(high / 2 ** 32);
    return ((Math.imul(low | 0, 0x9e3779b1) ^ highBits) >>> 2) & this.#hashMask;
  }
}
