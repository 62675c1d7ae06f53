import type { JobsOptions } from 'bullmq';

/**
 * Lanes split gateway events by what they are worth: `interactions` must be answered within Discord's 3 s
 * window, `events` are the bot's ordinary work, `bulk` is low-value and may be shed under pressure. Each
 * lane is its own BullMQ queue, so operators scale and limit them separately.
 */
export const laneNames = ['interactions', 'events', 'bulk'] as const;
export type LaneName = (typeof laneNames)[number];

export interface LanePolicy {
  /** May the gateway drop this lane's events when the lane is backed up? Never for interactions. */
  sheddable: boolean;
  /** Upper bound of the gateway's batching delay for this lane; 0 = each event is written as it arrives. */
  maxBatchWaitMs: number;
  jobOptions: JobsOptions;
}

/** Failed jobs stay a week (bounded) for inspection and manual retry. */
const failedJobsKept = { age: 7 * 24 * 3_600, count: 10_000 };

export const lanePolicies: Record<LaneName, LanePolicy> = {
  interactions: {
    sheddable: false,
    // Written the moment it arrives: a timer, however short, fires late on a busy event loop.
    maxBatchWaitMs: 0,
    // An interaction retried after its 3 s window only draws 10062: one retry is all that can help.
    jobOptions: {
      attempts: 2,
      backoff: { type: 'fixed', delay: 250 },
      removeOnComplete: { age: 600, count: 1_000 },
      removeOnFail: failedJobsKept,
    },
  },
  events: {
    sheddable: false,
    maxBatchWaitMs: 5,
    jobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: failedJobsKept,
    },
  },
  bulk: {
    sheddable: true,
    maxBatchWaitMs: 20,
    jobOptions: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 1_000 } },
  },
};

/** The BullMQ queue of a lane. */
export function laneQueueName(lane: LaneName): string {
  return `gateway-events-${lane}`;
}

/** Where events go unless configured otherwise; anything unlisted goes to `events`. */
export const defaultLaneRoutes: Readonly<Record<string, LaneName>> = {
  INTERACTION_CREATE: 'interactions',
  TYPING_START: 'bulk',
  PRESENCE_UPDATE: 'bulk',
  VOICE_CHANNEL_EFFECT_SEND: 'bulk',
};

export function isLaneName(value: string): value is LaneName {
  return (laneNames as readonly string[]).includes(value);
}

/** Parses `TYPING_START=bulk,GUILD_MEMBER_ADD=events`; throws naming the bad part. */
export function parseLaneRoutes(spec: string): Record<string, LaneName> {
  const routes: Record<string, LaneName> = {};
  for (const part of spec
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const [event, lane] = part.split('=').map((piece) => piece.trim());
    if (!event || !/^[A-Z_]+$/.test(event)) throw new Error(`"${part}": expected EVENT_NAME=lane`);
    if (!lane || !isLaneName(lane)) throw new Error(`"${part}": lane must be one of ${laneNames.join(', ')}`);
    routes[event] = lane;
  }
  return routes;
}

/** Routes an event name to its lane: configured routes first, then the defaults, then `events`. */
export function createLaneRouter(
  overrides: Readonly<Record<string, LaneName>> = {},
): (event: string) => LaneName {
  const routes = { ...defaultLaneRoutes, ...overrides };
  return (event) => routes[event] ?? 'events';
}
