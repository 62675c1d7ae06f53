/** Entries are copied into chunks of this size (or one entry's size, when larger). */
const chunkBytes = 1 << 20;

/** Consecutive entries, UTF-8 encoded back to back in one buffer. */
class LogChunk {
  readonly firstSequence: number;
  readonly bytes: Buffer;
  /** Where each entry ends in `bytes`, by position from `firstSequence`. */
  readonly #ends: number[] = [];

  constructor(firstSequence: number, bytes: Buffer) {
    this.firstSequence = firstSequence;
    this.bytes = bytes;
  }

  get count(): number {
    return this.#ends.length;
  }

  get usedBytes(): number {
    return this.#ends.at(-1) ?? 0;
  }

  /** Appends an entry that fits (`byteLength` bytes); false when it does not. */
  append(frame: string, byteLength: number): boolean {
    const start = this.usedBytes;
    if (start + byteLength > this.bytes.length) return false;
    this.bytes.write(frame, start, byteLength, 'utf8');
    this.#ends.push(start + byteLength);
    return true;
  }

  entry(index: number): string {
    return this.bytes.toString('utf8', index === 0 ? 0 : (this.#ends[index - 1] ?? 0), this.#ends[index]);
  }
}

/**
 * Strings numbered by consecutive sequences (dispatch frames, generated messages), of which at least the last
 * `limit` are kept (up to one chunk more).
 *
 * The strings are kept as bytes outside the JavaScript heap, in chunks that are reused once dropped. At
 * thousands of events per second, a string per event kept for tens of thousands of events survives
 * young-generation collections, is copied by them and ends in the old generation: the collector's pauses
 * then grow with the traffic and delay every frame the simulator sends and every request it answers.
 */
export class OffHeapLog {
  readonly #limit: number;
  #chunks: LogChunk[] = [];
  /** Dropped chunks of the standard size, reused so steady traffic allocates no new memory. */
  #spare: Buffer[] = [];
  #frames = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The sequence of the oldest entry kept, or undefined when none is. */
  get firstSequence(): number | undefined {
    return this.#chunks[0]?.firstSequence;
  }

  /** Appends the entry numbered `sequence`: one more than the last entry's, or any number when empty. */
  append(sequence: number, text: string): void {
    if (this.#limit <= 0) return;
    const byteLength = Buffer.byteLength(text, 'utf8');
    const last = this.#chunks.at(-1);
    if (last && last.firstSequence + last.count !== sequence)
      throw new RangeError(`sequence ${sequence} does not follow ${last.firstSequence + last.count - 1}`);
    if (!last?.append(text, byteLength)) {
      const chunk = new LogChunk(sequence, this.#newChunkBytes(byteLength));
      chunk.append(text, byteLength);
      this.#chunks.push(chunk);
    }
    this.#frames += 1;
    this.#dropBeyondLimit();
  }

  /** The entry numbered `sequence`, or undefined when it is not kept. */
  at(sequence: number): string | undefined {
    for (let position = this.#chunks.length - 1; position >= 0; position -= 1) {
      const chunk = this.#chunks[position];
      if (!chunk || chunk.firstSequence > sequence) continue;
      return sequence < chunk.firstSequence + chunk.count
        ? chunk.entry(sequence - chunk.firstSequence)
        : undefined;
    }
    return undefined;
  }

  /** Entries with a sequence above `sequence`, oldest first. */
  after(sequence: number): string[] {
    const entries: string[] = [];
    for (const chunk of this.#chunks) {
      const lastSequence = chunk.firstSequence + chunk.count - 1;
      if (lastSequence <= sequence) continue;
      for (let index = Math.max(0, sequence + 1 - chunk.firstSequence); index < chunk.count; index += 1)
        entries.push(chunk.entry(index));
    }
    return entries;
  }

  clear(): void {
    for (const chunk of this.#chunks) this.#recycle(chunk);
    this.#chunks = [];
    this.#frames = 0;
  }

  #dropBeyondLimit(): void {
    let oldest = this.#chunks[0];
    while (oldest && this.#chunks.length > 1 && this.#frames - oldest.count >= this.#limit) {
      this.#chunks.shift();
      this.#frames -= oldest.count;
      this.#recycle(oldest);
      oldest = this.#chunks[0];
    }
  }

  #newChunkBytes(entryBytes: number): Buffer {
    if (entryBytes > chunkBytes) return Buffer.allocUnsafe(entryBytes);
    return this.#spare.pop() ?? Buffer.allocUnsafe(chunkBytes);
  }

  #recycle(chunk: LogChunk): void {
    // One spare is enough for steady traffic: a chunk is dropped as the next one fills.
    if (chunk.bytes.length === chunkBytes && this.#spare.length < 1) this.#spare.push(chunk.bytes);
  }
}
