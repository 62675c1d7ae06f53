import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';

/** Why a gateway could not put a dispatch on a lane. */
export const parkedReasons = [
  'not-json',
  'invalid-utf8',
  'bad-envelope',
  'unknown-event',
  'oversized',
  'router-error',
] as const;
export type ParkedReason = (typeof parkedReasons)[number];

/** One dispatch (or frame) a gateway parked instead of queueing, with its cause. */
export interface ParkedDispatch {
  at: number;
  shardId: number;
  reason: ParkedReason;
  /** What was wrong, in words. */
  cause: string;
  /** The event name and sequence when the frame got that far. */
  event?: string;
  sequence?: number;
  /** Size of the frame (or of the payload's JSON), in bytes. */
  bytes: number;
  /** The start of the frame, interaction tokens redacted. */
  preview: string;
}

const previewChars = 240;

/**
 * The start of a frame for an operator to recognise it, tokens masked first: a parked INTERACTION_CREATE
 * carries an interaction token valid for 15 minutes, and the parked stream is read by the CLI and dashboard.
 */
export function previewOf(text: string): string {
  const head = text.slice(0, previewChars * 2);
  const masked = head.replace(/("[a-z_]*token"\s*:\s*")[^"]*("?)/gi, '$1[redacted]$2');
  return masked.length > previewChars ? `${masked.slice(0, previewChars)}…` : masked;
}

/** Parked records kept (approximately: XADD MAXLEN ~ trims whole nodes, never below this). */
export const parkedDispatchesKept = 10_000;

/**
 * The gateway's dead-letter place: a capped Redis stream of what could not become a job. Parking never
 * throws into the event path; a write that fails is reported to `onError` (the record is lost, the metric
 * that counted it stays).
 */
export class ParkedDispatches {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#key = new RedisKeys(keyPrefix).parkedDispatches();
  }

  async park(record: ParkedDispatch): Promise<void> {
    await this.#redis.xadd(
      this.#key,
      'MAXLEN',
      '~',
      parkedDispatchesKept,
      '*',
      'record',
      JSON.stringify(record),
    );
  }

  /** The newest `count` records, newest first. */
  async recent(count = 50): Promise<ParkedDispatch[]> {
    const entries = await this.#redis.xrevrange(this.#key, '+', '-', 'COUNT', count);
    return entries.flatMap(([, fields]) => {
      const json = fields[fields.indexOf('record') + 1];
      try {
        return json ? [JSON.parse(json) as ParkedDispatch] : [];
      } catch {
        return [];
      }
    });
  }

  /** How many records the stream holds. */
  count(): Promise<number> {
    return this.#redis.xlen(this.#key);
  }
}
