import {
  type Logger,
  type ParkedDispatch,
  type ParkedDispatches,
  type ParkedReason,
  previewOf,
} from '@dgc/shared';
import { GatewayDispatchEvents, type GatewayDispatchPayload } from 'discord-api-types/v10';
import type { GatewayCounters } from '../gateway-counters.js';
import { frameSizes, type MalformedFrameReport } from '../shards/frame-guard.js';
import type { EventFilter } from './event-filter.js';

export interface DispatchGuardOptions {
  parked: Pick<ParkedDispatches, 'park'>;
  counters: Pick<GatewayCounters, 'malformed'>;
  /** An event type this build does not know still goes on when a handler asked for it. */
  filter: Pick<EventFilter, 'wants'>;
  maxEventBytes: number;
  logger: Logger;
}

const knownEvents: ReadonlySet<string> = new Set(Object.values(GatewayDispatchEvents));
/** Parking writes in flight at most: a flood of bad frames must not queue unbounded Redis writes. */
const maxParkingInFlight = 256;
/** Log lines per second at most; the metric counts every one. */
const maxLogsPerSecond = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks every dispatch before it becomes a job, and parks what cannot be one — frames that are not JSON or
 * not UTF-8 (reported by the shard's frame guard), envelopes with a missing or wrong-typed `t`, `s` or `d`,
 * event types nobody knows or asked for, payloads over `GATEWAY_MAX_EVENT_BYTES` — in the gateway's
 * parked stream with its cause, counted by reason. Nothing here throws into the shard's event loop.
 */
export class DispatchGuard {
  readonly #options: DispatchGuardOptions;
  #parkingInFlight = 0;
  #logWindowStart = 0;
  #logsInWindow = 0;

  constructor(options: DispatchGuardOptions) {
    this.#options = options;
  }

  /** For the shard's frame guard: a frame that never became a payload. */
  readonly reportFrame: MalformedFrameReport = (shardId, reason, cause, frame) => {
    this.#park({
      at: Date.now(),
      shardId,
      reason,
      cause,
      bytes: frame.bytes,
      preview: previewOf(frame.text),
    });
  };

  /** True when the dispatch may go on to its lane; otherwise it was parked. */
  accepts(dispatch: unknown, shardId: number): dispatch is GatewayDispatchPayload {
    if (!isRecord(dispatch))
      return this.#reject(shardId, dispatch, 'bad-envelope', 'dispatch is not an object');
    const { t, s, d } = dispatch;
    const problems: string[] = [];
    if (typeof t !== 'string' || !/^[A-Z0-9_]{1,64}$/.test(t))
      problems.push('t must be an upper-case event name');
    if (!Number.isSafeInteger(s) || (s as number) < 1) problems.push('s must be a positive integer');
    if (!isRecord(d)) problems.push('d must be an object');
    if (problems.length > 0) return this.#reject(shardId, dispatch, 'bad-envelope', problems.join('; '));
    const event = t as string;
    if (!knownEvents.has(event) && !this.#options.filter.wants(event))
      return this.#reject(
        shardId,
        dispatch,
        'unknown-event',
        `unknown event type ${event}, no handler asked for it`,
      );
    const bytes = frameSizes.get(dispatch) ?? 0;
    if (bytes > this.#options.maxEventBytes)
      return this.#reject(
        shardId,
        dispatch,
        'oversized',
        `${bytes} bytes exceed GATEWAY_MAX_EVENT_BYTES (${this.#options.maxEventBytes})`,
      );
    return true;
  }

  /** A stage after the guard threw on this dispatch (bad data in a field it reads). */
  routerFailed(dispatch: GatewayDispatchPayload, shardId: number, error: unknown): void {
    this.#reject(
      shardId,
      dispatch,
      'router-error',
      `routing failed: ${(error as Error)?.message ?? String(error)}`,
    );
  }

  #reject(shardId: number, dispatch: unknown, reason: ParkedReason, cause: string): false {
    const { t, s } = isRecord(dispatch) ? dispatch : {};
    let text: string;
    try {
      text = JSON.stringify(dispatch) ?? String(dispatch);
    } catch {
      text = String(dispatch);
    }
    this.#park({
      at: Date.now(),
      shardId,
      reason,
      cause,
      event: typeof t === 'string' ? t.slice(0, 64) : undefined,
      sequence: Number.isSafeInteger(s) ? (s as number) : undefined,
      bytes: (isRecord(dispatch) ? frameSizes.get(dispatch) : undefined) ?? Buffer.byteLength(text),
      preview: previewOf(text),
    });
    return false;
  }

  #park(record: ParkedDispatch): void {
    const { counters, parked, logger } = this.#options;
    counters.malformed(record.reason);
    const now = Date.now();
    if (now - this.#logWindowStart >= 1_000) {
      this.#logWindowStart = now;
      this.#logsInWindow = 0;
    }
    if (this.#logsInWindow < maxLogsPerSecond) {
      this.#logsInWindow += 1;
      const { preview: _preview, ...fields } = record;
      logger.warn(fields, 'malformed dispatch parked');
    }
    if (this.#parkingInFlight >= maxParkingInFlight) {
      counters.malformed('park-write-skipped');
      return;
    }
    this.#parkingInFlight += 1;
    parked
      .park(record)
      .catch((error: unknown) =>
        logger.error({ err: error, reason: record.reason }, 'parking a dispatch failed'),
      )
      .finally(() => {
        this.#parkingInFlight -= 1;
      });
  }
}
