import { randomUUID } from 'node:crypto';
import {
  type GatewayEventEnvelope,
  type Redis,
  RedisKeys,
  type RedisScriptCommands,
  withRedisScripts,
} from '@dgc/shared';

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

/** Another worker holds the event right now; the job retries after back-off instead of running twice. */
export class EventInProgressError extends Error {
  override readonly name = 'EventInProgressError';
}

export type ClaimOutcome = { run: true; settle(outcome: 'done' | 'release'): Promise<void> } | { run: false };

/** Per event of a batch: run it, skip it (already done), or leave it (another worker holds it). */
export type BatchClaimState = 'run' | 'done' | 'busy';

export interface BatchClaim {
  states: BatchClaimState[];
  /**
   * Ends the attempt in one round trip: the events in `released` (they failed) can be claimed again, and
   * every other claimed event counts as handled when `handledAny` (the attempt's one 'done' mark).
   */
  finish(released: readonly string[], handledAny: boolean): Promise<void>;
}

/**
 * At-least-once delivery made effectively-once for handler side effects. An attempt (a job) claims its
 * events atomically (Lua) before their handlers run: each event's key takes the attempt's token, and the
 * attempt's own status key says it is running. When the attempt ends, the events that failed are released
 * for their retry and the attempt is marked done, which marks all its other events handled with one write
 * instead of one per event. The running status expires after the processing TTL, so the events of a worker
 * killed mid-attempt can be claimed again.
 */
export interface EventDedupeOptions {
  keyPrefix: string;
  processingTtlMs: number;
  doneTtlMs: number;
  /**
   * Replicas that must acknowledge the claims before handlers run and the done marks before the attempt
   * ends (`WAIT`). A Sentinel failover promotes a replica that may lack the last writes: without the wait,
   * a claim it lacks lets a redelivered event run again. Read per wait: the replicas the primary has now.
   */
  waitReplicas?: () => number;
  waitTimeoutMs?: number;
  /** Told when fewer replicas acknowledged within the timeout (the attempt goes on regardless). */
  onUnreplicated?: (acknowledged: number) => void;
}

export class EventDedupe {
  readonly #redis: Redis & RedisScriptCommands;
  readonly #keys: RedisKeys;
  readonly #processingTtlMs: number;
  readonly #doneTtlMs: number;
  readonly #options: EventDedupeOptions;

  constructor(redis: Redis, options: EventDedupeOptions) {
    this.#redis = withRedisScripts(redis);
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#processingTtlMs = options.processingTtlMs;
    this.#doneTtlMs = options.doneTtlMs;
    this.#options = options;
  }

  /** WAIT covers every write this connection sent before it: the claims or marks just made. */
  async #replicated(): Promise<void> {
    const { waitTimeoutMs = 1_000, onUnreplicated } = this.#options;
    const replicas = this.#options.waitReplicas?.() ?? 0;
    if (replicas <= 0) return;
    const acknowledged = await this.#redis.wait(replicas, waitTimeoutMs);
    if (acknowledged < replicas) onUnreplicated?.(acknowledged);
  }

  async claim(eventKey: string): Promise<ClaimOutcome> {
    const claim = await this.claimMany([eventKey]);
    const [state] = claim.states;
    if (state === 'done') return { run: false };
    if (state === 'busy')
      throw new EventInProgressError(`event ${eventKey} is being processed by another worker`);
    return {
      run: true,
      settle: (outcome) => (outcome === 'done' ? claim.finish([], true) : claim.finish([eventKey], false)),
    };
  }

  /**
   * Claims the events of a batch in one round trip; `eventKeys` may repeat (a replayed duplicate). Events
   * another attempt holds (a redelivery) cost a second one, which asks whether that attempt still lives.
   */
  async claimMany(eventKeys: readonly string[]): Promise<BatchClaim> {
    if (eventKeys.length === 0) return { states: [], finish: async () => undefined };
    const token = randomUUID();
    const attemptKey = this.#keys.dedupeAttempt(token);
    const keys = eventKeys.map((eventKey) => this.#keys.dedupe(eventKey));
    const results = await this.#redis.claimEvents(
      keys.length + 1,
      attemptKey,
      ...keys,
      token,
      this.#processingTtlMs,
      this.#doneTtlMs,
    );
    const states = new Array<BatchClaimState>(results.length);
    const held: number[] = [];
    results.forEach((result, index) => {
      if (typeof result === 'string') held.push(index);
      else states[index] = claimState(result);
    });
    if (held.length > 0) await this.#claimHeld(token, keys, results, held, states);
    await this.#replicated();
    return {
      states,
      finish: async (released, handledAny) => {
        const releasedKeys = released.map((eventKey) => this.#keys.dedupe(eventKey));
        await this.#redis.settleEvents(
          releasedKeys.length + 1,
          attemptKey,
          ...releasedKeys,
          token,
          handledAny ? '1' : '0',
          this.#doneTtlMs,
        );
        await this.#replicated();
      },
    };
  }

  /** The events at `held` are another attempt's: done if it finished, taken over if its status lapsed. */
  async #claimHeld(
    token: string,
    keys: readonly string[],
    holders: readonly (number | string)[],
    held: readonly number[],
    states: BatchClaimState[],
  ): Promise<void> {
    const pairs = held.flatMap((index) => [
      keys[index] as string,
      this.#keys.dedupeAttempt(String(holders[index])),
    ]);
    const results = await this.#redis.claimHeldEvents(
      pairs.length,
      ...pairs,
      token,
      this.#doneTtlMs,
      ...held.map((index) => String(holders[index])),
    );
    held.forEach((index, position) => {
      states[index] = claimState(results[position] ?? -1);
    });
  }
}

function claimState(result: number): BatchClaimState {
  return result === 1 ? 'run' : result === 0 ? 'done' : 'busy';
}
