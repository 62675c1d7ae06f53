import type { SeededRandom } from '../model/seeded-random.js';
import type { SimulatedGuild } from '../model/world.js';

export const trafficEventTypes = [
  'MESSAGE_CREATE',
  'TYPING_START',
  'GUILD_MEMBER_ADD',
  'GUILD_MEMBER_REMOVE',
  'INTERACTION_CREATE',
] as const;
export type TrafficEventType = (typeof trafficEventTypes)[number];

export interface TrafficOptions {
  eventsPerSecond: number;
  /** Relative weights per event type; default: mostly messages, some typing, a few member joins/leaves. */
  mix?: Partial<Record<TrafficEventType, number>>;
}

/** Where a traffic generator sends the events it picks (the simulator injects them). */
export interface TrafficSink {
  sendTrafficEvent(event: TrafficEventType, guild: SimulatedGuild): void;
}

export interface TrafficReport {
  sent: number;
  byEvent: Record<string, number>;
  elapsedMs: number;
  achievedPerSecond: number;
}

export const defaultTrafficMix: Record<TrafficEventType, number> = {
  MESSAGE_CREATE: 80,
  TYPING_START: 15,
  GUILD_MEMBER_ADD: 2,
  GUILD_MEMBER_REMOVE: 2,
  INTERACTION_CREATE: 1,
};

const tickMs = 5;
/** A tick sends at most this many ticks' worth: what a stall left owing is paid over the next ticks. */
const catchUpTicks = 2;

/**
 * How many events a tick sends: what the rate owes since the start, but never more than `catchUpTicks`
 * ticks' worth. A stall of the generating process (a collection, a busy turn) is then made up over the
 * following ticks as a slightly faster stream, instead of as one burst of up to a hundred ticks' worth that
 * every process downstream would have to absorb at once: the load stays the load that was asked for.
 */
export function eventsForTick(eventsPerSecond: number, elapsedMs: number, sent: number): number {
  const owed = Math.floor((eventsPerSecond * elapsedMs) / 1_000) - sent;
  const cap = Math.max(1, Math.ceil((eventsPerSecond * tickMs * catchUpTicks) / 1_000));
  return Math.max(0, Math.min(owed, cap));
}

/**
 * Emits events at a steady rate: each tick sends what the rate owes since the start (see `eventsForTick`),
 * so timer jitter does not drift the average. Guilds are picked in proportion to their size (big guilds
 * are busy), event types by the mix, both from a seeded generator so a run can be replayed.
 */
export class TrafficGenerator {
  readonly #sink: TrafficSink;
  readonly #random: SeededRandom;
  readonly #guilds: readonly SimulatedGuild[];
  readonly #cumulativeGuildWeights: number[];
  readonly #mix: [TrafficEventType, number][];
  readonly #mixTotal: number;
  readonly #eventsPerSecond: number;
  readonly #byEvent: Record<string, number> = {};
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #stoppedAt = 0;
  #sent = 0;

  constructor(
    guilds: readonly SimulatedGuild[],
    random: SeededRandom,
    options: TrafficOptions,
    sink: TrafficSink,
  ) {
    if (!(options.eventsPerSecond > 0)) throw new RangeError('eventsPerSecond must be greater than 0');
    if (guilds.length === 0) throw new RangeError('traffic needs at least one guild');
    this.#guilds = guilds;
    this.#random = random;
    this.#sink = sink;
    this.#eventsPerSecond = options.eventsPerSecond;
    let total = 0;
    this.#cumulativeGuildWeights = guilds.map((guild) => {
      total += guild.memberCount;
      return total;
    });
    this.#mix = Object.entries(options.mix ?? defaultTrafficMix).filter(
      (entry): entry is [TrafficEventType, number] => (entry[1] ?? 0) > 0,
    );
    this.#mixTotal = this.#mix.reduce((sum, [, weight]) => sum + weight, 0);
    if (this.#mixTotal <= 0)
      throw new RangeError('the traffic mix needs at least one event type with weight > 0');
  }

  start(): this {
    this.#startedAt = performance.now();
    this.#timer = setInterval(() => this.#tick(), tickMs);
    return this;
  }

  stop(): TrafficReport {
    clearInterval(this.#timer);
    this.#stoppedAt = performance.now();
    return this.report();
  }

  report(): TrafficReport {
    const elapsedMs = (this.#stoppedAt || performance.now()) - this.#startedAt;
    return {
      sent: this.#sent,
      byEvent: { ...this.#byEvent },
      elapsedMs,
      achievedPerSecond: elapsedMs > 0 ? (this.#sent * 1_000) / elapsedMs : 0,
    };
  }

  #tick(): void {
    const batch = eventsForTick(this.#eventsPerSecond, performance.now() - this.#startedAt, this.#sent);
    for (const { event, guild } of this.nextPicks(batch)) {
      this.#sink.sendTrafficEvent(event, guild);
      this.#byEvent[event] = (this.#byEvent[event] ?? 0) + 1;
      this.#sent += 1;
    }
  }

  /** The next `count` (event type, guild) choices; the same seed gives the same sequence. */
  nextPicks(count: number): { event: TrafficEventType; guild: SimulatedGuild }[] {
    return Array.from({ length: count }, () => ({ event: this.#pickEvent(), guild: this.#pickGuild() }));
  }

  #pickGuild(): SimulatedGuild {
    const target = this.#random.next() * (this.#cumulativeGuildWeights.at(-1) ?? 1);
    let low = 0;
    let high = this.#cumulativeGuildWeights.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.#cumulativeGuildWeights[middle] ?? 0) > target) high = middle;
      else low = middle + 1;
    }
    return this.#guilds[low] as SimulatedGuild;
  }

  #pickEvent(): TrafficEventType {
    let target = this.#random.next() * this.#mixTotal;
    for (const [event, weight] of this.#mix) {
      target -= weight;
      if (target < 0) return event;
    }
    return this.#mix[0]?.[0] ?? 'MESSAGE_CREATE';
  }
}

/** Parses `MESSAGE_CREATE=80,TYPING_START=20` into a mix; throws naming the bad part. */
export function parseTrafficMix(spec: string): Partial<Record<TrafficEventType, number>> {
  const mix: Partial<Record<TrafficEventType, number>> = {};
  for (const part of spec.split(',')) {
    const [name, weight] = part.split('=').map((piece) => piece.trim());
    if (!trafficEventTypes.includes(name as TrafficEventType)) {
      throw new RangeError(`unknown event type "${name}" (one of ${trafficEventTypes.join(', ')})`);
    }
    const value = Number(weight);
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`weight of ${name} must be a number ≥ 0`);
    mix[name as TrafficEventType] = value;
  }
  return mix;
}
