import { reshardTiming } from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import type { ReceiveProgress } from '../shards/shard-connections.js';

/** Discord's epoch: snowflakes count milliseconds from the first of 2015. */
const discordEpochMs = 1_420_070_400_000n;

/** Events whose `id` is a snowflake minted when the event happened: their time is the same in both sets. */
const createdWithEvent = new Set(['MESSAGE_CREATE', 'INTERACTION_CREATE']);

/**
 * When an event happened, for the cut-over rule: the creation time in its snowflake id when it has one
 * (identical in the old and the new set's copy), else the moment this process received it.
 */
export function eventTimeOf(dispatch: GatewayDispatchPayload, receivedAt = Date.now()): number {
  if (createdWithEvent.has(dispatch.t)) {
    const id = (dispatch.d as { id?: unknown }).id;
    if (typeof id === 'string' && /^\d+$/.test(id)) return Number((BigInt(id) >> 22n) + discordEpochMs);
  }
  return receivedAt;
}

/**
 * What one shard set publishes, by its role in a reshard:
 * - `all`: the only set (no reshard), or the new set once the switch committed;
 * - `none`: a new set holding (it connects and fills the cache, publishing nothing);
 * - `before`: the old set while switching — events that happened before the switch time;
 * - `from`: the new set while switching — events that happened at or after it.
 * Both sets receive every event during the overlap; with one switch time and one event time per event,
 * each event is published by exactly one of them. Events whose time is a receive time (no creation
 * snowflake) can land on both sides or neither when the two connections deliver them on either side of
 * the switch; the workers' dedupe catches doubles of events with ids.
 *
 * A set learns its role by polling the generation record, and the switch time is set only `leadMs` ahead.
 * A holding set whose last poll is older than that (a stalled event loop, a slow Redis) cannot know
 * whether the switch time has come: skipping would lose the events from it on (the old set publishes
 * only those before it, and this set's watermark would pass them, so no resume replays them). So `none`
 * publishes every event from the earliest switch time still possible (`noSwitchBefore`); the old set
 * publishes those too while the switch time is ahead, and the workers' dedupe drops the double.
 */
export type CutOverRole = { kind: 'all' } | { kind: 'none' } | { kind: 'before' | 'from'; switchAt: number };

export class CutOverGate {
  #role: CutOverRole;
  /** Per shard: the sequence of the first dispatch seen past the switch time (the old set's confirmation). */
  readonly #pastSwitch = new Map<number, number>();
  /** While `none`: no switch time can come before this (see `noSwitchBefore`); unknown = none will. */
  #noSwitchBefore = Number.POSITIVE_INFINITY;
  /** Events a `none` set published because its knowledge of the switch time was too old, since the last report. */
  #undecided = 0;

  constructor(role: CutOverRole) {
    this.#role = role;
  }

  get role(): CutOverRole {
    return this.#role;
  }

  set role(role: CutOverRole) {
    this.#role = role;
  }

  /**
   * What the last poll that found the reshard holding proves: the switch time, set later `leadMs` ahead of
   * Redis's clock, cannot come before this. A `none` set publishes events from it on (see the type).
   */
  set noSwitchBefore(time: number) {
    this.#noSwitchBefore = time;
  }

  get noSwitchBefore(): number {
    return this.#noSwitchBefore;
  }

  /** How many events a `none` set published since the last call for lack of a recent poll; resets. */
  takeUndecided(): number {
    const undecided = this.#undecided;
    this.#undecided = 0;
    return undecided;
  }

  publishes(dispatch: GatewayDispatchPayload, shardId: number): boolean {
    const role = this.#role;
    switch (role.kind) {
      case 'all':
        return true;
      case 'none': {
        // A switch time past this is possible but not yet known here: published, since both sets skipping
        // it would lose it; a double (the old set publishes it too) is dropped by the workers' dedupe.
        const undecided = eventTimeOf(dispatch) >= this.#noSwitchBefore;
        if (undecided) this.#undecided += 1;
        return undecided;
      }
      case 'before': {
        const past = eventTimeOf(dispatch) >= role.switchAt;
        if (past && !this.#pastSwitch.has(shardId)) this.#pastSwitch.set(shardId, dispatch.s);
        return !past;
      }
      case 'from':
        return eventTimeOf(dispatch) >= role.switchAt;
    }
  }

  /** The sequence from which the shard saw past the switch time, if it did (old set only). */
  pastSwitchFrom(shardId: number): number | undefined {
    return this.#pastSwitch.get(shardId);
  }
}

/** An old-set shard as its process sees it while switching, for `confirmsCutOver`. */
export interface OldShardProgress {
  /** The sequence of the first dispatch it saw past the switch time, if any came. */
  pastSwitchFrom: number | undefined;
  /** Its published watermark: every dispatch up to it is in Redis. */
  watermark: number;
  /** Its connection: undefined when it does not run here. */
  connection: ReceiveProgress | undefined;
}

/**
 * Whether an old-set shard confirms the cut-over: it owes nothing created before the switch time any more.
 * - It saw an event past the switch time and published everything up to it (a busy shard); or
 * - nothing past the switch time came (a quiet shard), and Discord acknowledged a heartbeat sent once the
 *   switch time and its grace had passed, on a connection that is up, with every dispatch received published.
 *   The acknowledgement follows, on the same connection, every dispatch Discord sent before it: those
 *   created before the switch time have arrived. The time alone would not do: a process whose event loop
 *   lags has them still unread in its socket when the grace is over.
 * The switch commits only once every old shard confirmed: an old shard no process runs confirms nothing,
 * and committing without it would lose what its dead connection did not publish from before the switch
 * time (the new set publishes only from it; only a resume of the old session replays the rest).
 */
export function confirmsCutOver(shard: OldShardProgress, switchAt: number): boolean {
  if (shard.pastSwitchFrom !== undefined) return shard.watermark >= shard.pastSwitchFrom;
  const connection = shard.connection;
  if (!connection?.connected || connection.ackedHeartbeatSentAt === undefined) return false;
  return (
    connection.ackedHeartbeatSentAt >= switchAt + reshardTiming.graceMs &&
    shard.watermark >= connection.lastSequence
  );
}
