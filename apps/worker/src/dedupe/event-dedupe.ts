import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { GatewayEventEnvelope, Redis } from '@dgc/shared';

const claimScript = readFileSync(new URL('./claim-event.lua', import.meta.url), 'utf8');
const settleScript = readFileSync(new URL('./settle-event.lua', import.meta.url), 'utf8');
const claimManyScript = readFileSync(new URL('./claim-events.lua', import.meta.url), 'utf8');
const settleManyScript = readFileSync(new URL('./settle-events.lua', import.meta.url), 'utf8');

/** Events whose payload id identifies one occurrence; others (GUILD_CREATE repeats per connect) have none. */
const eventsWithUniqueIds = new Set([
  'MESSAGE_CREATE',
  'INTERACTION_CREATE',
  'MESSAGE_DELETE',
  'MESSAGE_DELETE_BULK',
]);

/** The key that identifies one occurrence of an event across redeliveries, when the event has one. */
export function dedupeKeyFor(envelope: GatewayEventEnvelope): string | undefined {
  if (!eventsWithUniqueIds.has(envelope.event)) return undefined;
  const payload = envelope.payload as { id?: unknown; ids?: unknown };
  if (typeof payload.id === 'string') return `${envelope.event}:${payload.id}`;
  if (Array.isArray(payload.ids) && payload.ids.length > 0)
    return `${envelope.event}:${String(payload.ids[0])}`;
  return undefined;
}

interface DedupeScripts {
  dgcClaimEvent(key: string, token: string, processingTtlMs: number): Promise<number>;
  dgcSettleEvent(key: string, token: string, outcome: string, doneTtlMs: number): Promise<number>;
  dgcClaimEvents(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  dgcSettleEvents(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number>;
}

/** Another worker holds the event right now; the job retries after back-off instead of running twice. */
export class EventInProgressError extends Error {
  override readonly name = 'EventInProgressError';
}

export type ClaimOutcome = { run: true; settle(outcome: 'done' | 'release'): Promise<void> } | { run: false };

/** Per event of a batch: run it, skip it (already done), or leave it (another worker holds it). */
export type BatchClaimState = 'run' | 'done' | 'busy';

export interface BatchClaim {
  states: BatchClaimState[];
  /** Settles the claimed events among `eventKeys` (one round trip per outcome). */
  settle(eventKeys: readonly string[], outcome: 'done' | 'release'): Promise<void>;
}

/**
 * At-least-once delivery made effectively-once for handler side effects: an event is claimed atomically
 * (Lua) before its handlers run, marked done after they succeed, and released when they fail so the retry
 * can run. A claim expires after the processing TTL, so a worker killed mid-event does not block it forever.
 */
export class EventDedupe {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #processingTtlMs: number;
  readonly #doneTtlMs: number;

  constructor(redis: Redis, options: { keyPrefix: string; processingTtlMs: number; doneTtlMs: number }) {
    this.#redis = redis;
    // EVALSHA with a fallback to EVAL: the script body crosses the network once per connection, not per event.
    redis.defineCommand('dgcClaimEvent', { numberOfKeys: 1, lua: claimScript });
    redis.defineCommand('dgcSettleEvent', { numberOfKeys: 1, lua: settleScript });
    redis.defineCommand('dgcClaimEvents', { lua: claimManyScript });
    redis.defineCommand('dgcSettleEvents', { lua: settleManyScript });
    this.#keyPrefix = `${options.keyPrefix}:dedupe:`;
    this.#processingTtlMs = options.processingTtlMs;
    this.#doneTtlMs = options.doneTtlMs;
  }

  async claim(eventKey: string): Promise<ClaimOutcome> {
    const key = this.#keyPrefix + eventKey;
    const token = randomUUID();
    const scripts = this.#redis as unknown as DedupeScripts;
    const result = Number(await scripts.dgcClaimEvent(key, token, this.#processingTtlMs));
    if (result === 0) return { run: false };
    if (result === -1)
      throw new EventInProgressError(`event ${eventKey} is being processed by another worker`);
    return {
      run: true,
      settle: async (outcome) => {
        await scripts.dgcSettleEvent(key, token, outcome, this.#doneTtlMs);
      },
    };
  }

  /** Claims the events of a batch in one round trip; `eventKeys` may repeat (a replayed duplicate). */
  async claimMany(eventKeys: readonly string[]): Promise<BatchClaim> {
    const keys = eventKeys.map((eventKey) => this.#keyPrefix + eventKey);
    const token = randomUUID();
    const scripts = this.#redis as unknown as DedupeScripts;
    const results =
      keys.length === 0
        ? []
        : await scripts.dgcClaimEvents(keys.length, ...keys, token, this.#processingTtlMs);
    const states = results.map(
      (result): BatchClaimState => (Number(result) === 1 ? 'run' : Number(result) === 0 ? 'done' : 'busy'),
    );
    return {
      states,
      settle: async (settled, outcome) => {
        if (settled.length === 0) return;
        const settledKeys = settled.map((eventKey) => this.#keyPrefix + eventKey);
        await scripts.dgcSettleEvents(settledKeys.length, ...settledKeys, token, outcome, this.#doneTtlMs);
      },
    };
  }
}
