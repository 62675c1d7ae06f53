import { TextDecoder } from 'node:util';
import type { ParkedReason } from '@dgc/shared';
import { SimpleShardingStrategy, type WebSocketManager } from '@discordjs/ws';

/** Told of every frame that could not be read as a payload. */
export type MalformedFrameReport = (
  shardId: number,
  reason: ParkedReason,
  cause: string,
  frame: { bytes: number; text: string },
) => void;

/**
 * The parts of @discordjs/ws 2.x's `WebSocketShard` (private in its types) this guard replaces. Version
 * 2.0.4 parses text frames in `unpackMessage` (a frame that is not JSON is dropped without a word) and
 * inflated zlib-stream messages in `parseInflateResult`, whose JSON.parse throws out of a floating promise:
 * one such frame is an unhandled rejection (the process exits), and its bytes stay in the inflate buffer,
 * corrupting every later message of the connection.
 */
interface ShardInternals {
  unpackMessage(data: unknown, isBinary: boolean): Promise<unknown>;
  parseInflateResult(result: unknown): unknown;
  inflateBuffer: Buffer[];
}

/**
 * The size of each dispatch's frame as received, by payload object: the dispatch router reads it to park
 * oversized events without serialising any event again.
 */
export const frameSizes = new WeakMap<object, number>();

// Fatal: a frame with invalid UTF-8 is reported instead of read with replacement characters in it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseFrame(
  shardId: number,
  bytes: Uint8Array | string,
  report: MalformedFrameReport,
): unknown | null {
  let text: string;
  if (typeof bytes === 'string') text = bytes;
  else {
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      const lenient = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      report(shardId, 'invalid-utf8', 'the frame is not valid UTF-8', {
        bytes: bytes.byteLength,
        text: lenient,
      });
      return null;
    }
  }
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    report(shardId, 'not-json', `the frame is not JSON: ${(error as Error).message}`, { bytes: size, text });
    return null;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    report(shardId, 'not-json', 'the frame is JSON but not an object', { bytes: size, text });
    return null;
  }
  frameSizes.set(payload, size);
  return payload;
}

/** Replaces the shard's frame parsing with one that reports bad frames, keeps sizes, and never throws. */
export function guardShardFrames(shard: object, shardId: number, report: MalformedFrameReport): void {
  const internals = shard as ShardInternals;
  if (typeof internals.unpackMessage !== 'function' || typeof internals.parseInflateResult !== 'function') {
    throw new Error('@discordjs/ws changed its WebSocketShard internals; update frame-guard.ts');
  }
  const unpack = internals.unpackMessage.bind(shard);
  internals.unpackMessage = async (data, isBinary) => {
    if (!isBinary) return parseFrame(shardId, data as string, report);
    try {
      return await unpack(data, isBinary);
    } catch (error) {
      // Identify-compressed payloads inflate on their own; a corrupt one is one bad frame, not a crash.
      report(shardId, 'not-json', `the frame could not be inflated: ${(error as Error).message}`, {
        bytes: (data as ArrayBuffer).byteLength ?? 0,
        text: '',
      });
      return null;
    }
  };
  internals.parseInflateResult = (result) => {
    if (!result) return null;
    try {
      return parseFrame(shardId, result as Uint8Array | string, report);
    } finally {
      // The library clears the buffer after parsing succeeds; a bad message must not prefix the next one.
      internals.inflateBuffer = [];
    }
  };
}

/** @discordjs/ws's in-process strategy, with every shard's frames guarded. */
export class GuardedShardingStrategy extends SimpleShardingStrategy {
  readonly #report: MalformedFrameReport;

  constructor(manager: WebSocketManager, report: MalformedFrameReport) {
    super(manager);
    this.#report = report;
  }

  override async spawn(shardIds: number[]): Promise<void> {
    await super.spawn(shardIds);
    const shards = (this as unknown as { shards: Map<number, object> }).shards;
    for (const shardId of shardIds) {
      const shard = shards.get(shardId);
      if (shard) guardShardFrames(shard, shardId, this.#report);
    }
  }
}
