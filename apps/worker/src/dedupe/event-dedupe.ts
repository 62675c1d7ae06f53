import { randomUUID } from 'node:crypto';
import {
  type GatewayEventEnvelope,
  type Redis,
  RedisKeys,
  type RedisScriptCommands,
  withRedisScripts,
} from '@dgc/shared';
import type { AttemptStatus, ClaimReplication } from './claim-replication.js';

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
   * Confirms that the claims are on the replicas before handlers run, and the done marks before the
   * attempt ends. A failover promotes a replica that may lack the last writes: without the check, a claim
   * it lacks lets a redelivered event run again. Unset: writes are trusted as made (a single Redis).
   */
  replication?: ClaimReplication;
  /** Told of what the checks found: writes made again after a loss, and events another attempt took meanwhile. */
  observer?: DedupeReplicationObserver;
}

export interface DedupeReplicationObserver {
  /** An attempt's claim or done mark was lost (a failover or a restart) and is being made again. */
  rewritten(status: AttemptStatus): void;
  /**
   * Events this attempt handled that another attempt claimed on the server that lost this one's claim:
   * their handlers may run twice.
   */
  takenElsewhere(events: number): void;
}

/** A claim found lost is made again at most this often before the job fails (and is retried by BullMQ). */
const maxClaimRounds = 3;
/** A check that got no answer (its connection dropped) is asked again at most this often. */
const maxCheckTries = 5;

/** The claims of a batch could not be confirmed on the server: the job fails and BullMQ retries it. */
export class ClaimNotReplicatedError extends Error {
  override readonly name = 'ClaimNotReplicatedError';
}

/** One attempt's claim as written: its token, status key, event keys and what each event may do. */
interface AttemptClaim {
  token: string;
  attemptKey: string;
  keys: string[];
  states: BatchClaimState[];
}

export class EventDedupe {
  readonly #redis: Redis & RedisScriptCommands;
  readonly #keys: RedisKeys;
  readonly #processingTtlMs: number;
  readonly #doneTtlMs: number;
  readonly #replication: ClaimReplication | undefined;
  readonly #observer: DedupeReplicationObserver | undefined;

  constructor(redis: Redis, options: EventDedupeOptions) {
    this.#redis = withRedisScripts(redis);
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#processingTtlMs = options.processingTtlMs;
    this.#doneTtlMs = options.doneTtlMs;
    this.#replication = options.replication;
    this.#observer = options.observer;
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
   * With replication checks, it resolves only once the claims are confirmed (or found short, and let go
   * on); a claim the server lost is made again, with a new token, and may then find its events taken.
   */
  async claimMany(eventKeys: readonly string[]): Promise<BatchClaim> {
    if (eventKeys.length === 0) return { states: [], finish: async () => undefined };
    for (let round = 1; ; round += 1) {
      const attempt = await this.#claimOnce(eventKeys);
      if (!attempt.states.includes('run') || (await this.#confirmed(attempt.attemptKey, 'running')))
        return {
          states: attempt.states,
          finish: (released, handledAny) => this.#finish(attempt, released, handledAny),
        };
      if (round >= maxClaimRounds)
        throw new ClaimNotReplicatedError(
          `the claims of ${eventKeys.length} event(s) were lost ${round} times in a row (Redis failing over?)`,
        );
      this.#observer?.rewritten('running');
    }
  }

  async #claimOnce(eventKeys: readonly string[]): Promise<AttemptClaim> {
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
    return { token, attemptKey, keys, states };
  }

  /**
   * Ends the attempt in one round trip (released events freed, the rest marked done), then, when it handled
   * any, confirms the done mark: a server that lost it is given it again, events and mark, before the
   * job completes, or a redelivery would run them again once the claim's status lapsed.
   */
  async #finish(attempt: AttemptClaim, released: readonly string[], handledAny: boolean): Promise<void> {
    const releasedKeys = released.map((eventKey) => this.#keys.dedupe(eventKey));
    await this.#settle(attempt, releasedKeys, handledAny);
    if (!handledAny || !this.#replication) return;
    const releasedSet = new Set(releasedKeys);
    const handledKeys = [
      ...new Set(
        attempt.keys.filter((key, index) => attempt.states[index] === 'run' && !releasedSet.has(key)),
      ),
    ];
    for (let round = 1; round <= maxClaimRounds; round += 1) {
      if (await this.#confirmed(attempt.attemptKey, 'done')) return;
      this.#observer?.rewritten('done');
      // Claimed again under the same token: its events are this attempt's again, unless another attempt
      // took one on this server meanwhile (that one may run twice, and is counted).
      const results = await this.#redis.claimEvents(
        handledKeys.length + 1,
        attempt.attemptKey,
        ...handledKeys,
        attempt.token,
        this.#processingTtlMs,
        this.#doneTtlMs,
      );
      const taken = results.filter((result) => typeof result === 'string').length;
      if (taken > 0) this.#observer?.takenElsewhere(taken);
      await this.#settle(attempt, [], true);
    }
  }

  #settle(attempt: AttemptClaim, releasedKeys: readonly string[], handledAny: boolean): Promise<number> {
    return this.#redis.settleEvents(
      releasedKeys.length + 1,
      attempt.attemptKey,
      ...releasedKeys,
      attempt.token,
      handledAny ? '1' : '0',
      this.#doneTtlMs,
    );
  }

  /**
   * Whether the attempt's last write (`status`) is confirmed: true when the server holds it (replicated, or
   * short of replicas and let go on), false when the server lost it. A check that got no answer is asked
   * again; the next one tells.
   */
  async #confirmed(attemptKey: string, status: AttemptStatus): Promise<boolean> {
    const replication = this.#replication;
    if (!replication) return true;
    for (let tries = 1; ; tries += 1) {
      try {
        return (await replication.confirm(attemptKey, status)).kind !== 'lost';
      } catch (error) {
        if (tries >= maxCheckTries) throw error;
      }
    }
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
