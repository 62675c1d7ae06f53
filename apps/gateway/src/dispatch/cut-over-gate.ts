import type { GatewayDispatchPayload } from 'discord-api-types/v10';

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
 */
export type CutOverRole = { kind: 'all' } | { kind: 'none' } | { kind: 'before' | 'from'; switchAt: number };

export class CutOverGate {
  #role: CutOverRole;
  /** Per shard: the sequence of the first dispatch seen past the switch time (the old set's confirmation). */
  readonly #pastSwitch = new Map<number, number>();

  constructor(role: CutOverRole) {
    this.#role = role;
  }

  get role(): CutOverRole {
    return this.#role;
  }

  set role(role: CutOverRole) {
    this.#role = role;
  }

  publishes(dispatch: GatewayDispatchPayload, shardId: number): boolean {
    const role = this.#role;
    switch (role.kind) {
      case 'all':
        return true;
      case 'none':
        return false;
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
