import type { BackoffOptions, JobsOptions } from 'bullmq';
import { z } from 'zod';
import { envGroup, variable } from '../config/env-docs.js';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { type LaneName, laneNames, lanePolicies, laneQueueName } from './lanes.js';

/**
 * Which lanes keep each guild's events in order, and over how many partitions. An ordered lane is split
 * into `partitions` queues by a hash of the guild id; each partition queue runs one job at a time across
 * the whole cluster (BullMQ global concurrency 1), so one guild's events are handled in the order the
 * gateway received them while different partitions run in parallel.
 *
 * The trade-off: parallelism of an ordered lane is capped at `partitions`, and guilds that share a
 * partition wait for each other (head-of-line blocking), so a slow handler in one guild delays the other
 * guilds of its partition. Unordered lanes have neither cost.
 */
export interface LaneTopology {
  orderedLanes: readonly LaneName[];
  partitions: number;
  /**
   * Unordered lanes split into several queues, by lane (absent: none). Each queue has its own hash tag, so
   * on a Redis Cluster a hot lane is spread over several slots (nodes) instead of pinning one; an ordered
   * lane is spread by its partitions already.
   */
  spreadLanes?: Readonly<Partial<Record<LaneName, number>>>;
}

export const unorderedTopology: LaneTopology = { orderedLanes: [], partitions: 1 };

export function isOrdered(topology: LaneTopology, lane: LaneName): boolean {
  return topology.orderedLanes.includes(lane);
}

/**
 * BullMQ options of a lane's jobs. An ordered lane's jobs are attempted once by BullMQ: a BullMQ retry
 * waits in the delayed set while later events of the same guild run, so ordered workers retry in place
 * instead (`inlineRetryPolicy`).
 */
export function laneJobOptions(topology: LaneTopology, lane: LaneName): JobsOptions {
  const { attempts: _attempts, backoff: _backoff, ...options } = lanePolicies[lane].jobOptions;
  return isOrdered(topology, lane) ? options : lanePolicies[lane].jobOptions;
}

export interface InlineRetryPolicy {
  attempts: number;
  /** Wait before attempt `attempt + 1` (attempts count from 1). */
  delayAfter(attempt: number): number;
}

/** The lane's BullMQ retry policy, applied by an ordered worker within one job. */
export function inlineRetryPolicy(lane: LaneName): InlineRetryPolicy {
  const { attempts = 1, backoff } = lanePolicies[lane].jobOptions;
  const { type, delay = 0 }: BackoffOptions =
    typeof backoff === 'number' ? { type: 'fixed', delay: backoff } : (backoff ?? { type: 'fixed' });
  return {
    attempts,
    delayAfter: (attempt) => (type === 'exponential' ? delay * 2 ** (attempt - 1) : delay),
  };
}

/** Queue of one partition of an ordered lane; partition numbers are zero-padded so names sort. */
export function partitionQueueName(lane: LaneName, partition: number): string {
  return `${laneQueueName(lane)}-p${String(partition).padStart(3, '0')}`;
}

/** Queue of one part of a spread (unordered) lane, zero-padded like partitions. */
export function spreadQueueName(lane: LaneName, index: number): string {
  return `${laneQueueName(lane)}-s${String(index).padStart(3, '0')}`;
}

/**
 * Every queue a lane is made of: one per partition for an ordered lane, one per part for a spread lane,
 * else one. Gateways pick among several by `partitionOf` the event's ordering key.
 */
export function laneQueueNames(topology: LaneTopology, lane: LaneName): string[] {
  if (isOrdered(topology, lane))
    return Array.from({ length: topology.partitions }, (_, partition) => partitionQueueName(lane, partition));
  const spread = topology.spreadLanes?.[lane] ?? 1;
  if (spread <= 1) return [laneQueueName(lane)];
  return Array.from({ length: spread }, (_, index) => spreadQueueName(lane, index));
}

/**
 * What orders an event: its guild, else its channel (DMs), else its user. Events with none of these
 * (READY, RESUMED…) share partition key "" and so stay in order among themselves.
 */
export function orderingKeyOf(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null) return '';
  const record = payload as Record<string, unknown>;
  for (const field of ['guild_id', 'channel_id'] as const) {
    if (typeof record[field] === 'string') return record[field];
  }
  const user = record.user ?? record.author;
  if (typeof user === 'object' && user !== null && typeof (user as { id?: unknown }).id === 'string') {
    return (user as { id: string }).id;
  }
  return '';
}

/**
 * FNV-1a of the key, so partitions spread guilds independently of shard assignment (Discord shards by
 * `guild_id >> 22`, which would map each shard onto a few partitions if reused here).
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

const orderedLanes = z
  .string()
  .default('')
  .transform((value, context): LaneName[] => {
    const names = value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !(laneNames as readonly string[]).includes(name));
    if (unknown.length > 0) {
      context.addIssue({ code: 'custom', message: `unknown lanes ${unknown.join(', ')}` });
      return z.NEVER;
    }
    if (names.includes('bulk')) {
      context.addIssue({ code: 'custom', message: 'the bulk lane sheds events and cannot be ordered' });
      return z.NEVER;
    }
    return [...new Set(names)] as LaneName[];
  });

const spreadLanes = z
  .string()
  .default('')
  .transform((value, context): Partial<Record<LaneName, number>> => {
    const spread: Partial<Record<LaneName, number>> = {};
    for (const part of value
      .split(',')
      .map((piece) => piece.trim())
      .filter(Boolean)) {
      const [lane = '', count = ''] = part.split('=').map((piece) => piece.trim());
      const queues = Number(count);
      if (!(laneNames as readonly string[]).includes(lane)) {
        context.addIssue({ code: 'custom', message: `"${part}": unknown lane ${lane}` });
      } else if (!/^\d+$/.test(count) || queues < 1 || queues > 64) {
        context.addIssue({ code: 'custom', message: `"${part}": expected lane=queues, queues 1-64` });
      } else spread[lane as LaneName] = queues;
    }
    return spread;
  });

/** Variables gateways and workers must agree on; the first process writes them to Redis, the rest check. */
export const laneTopologyEnvShape = envGroup('Lanes', {
  ORDERED_LANES: variable(
    orderedLanes,
    'Lanes whose events are handled in order per guild, e.g. events (gateways and workers must agree; checked in Redis). Empty: none, the fastest.',
  ),
  ORDERED_LANE_PARTITIONS: variable(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_024, 'must be at most 1024')
      .default(16),
    'Partitions of each ordered lane (1-1024): its cluster-wide parallelism; guilds sharing a partition wait for each other.',
  ),
  SPREAD_LANES: variable(
    spreadLanes,
    'Unordered lanes split into several queues, e.g. events=3 (1-64 each; gateways and workers must agree; checked in Redis). Each queue has its own hash tag, so on a Redis Cluster a hot lane spreads over several nodes instead of pinning one. Empty: one queue per lane.',
  ),
});

export class LaneTopologyMismatchError extends Error {
  override readonly name = 'LaneTopologyMismatchError';
  /** EX_CONFIG: an operator must reconcile the configuration; restarting alone cannot help. */
  readonly exitCode = 78;
}

/** The topology the variables describe. Throws (exit 78) when a lane is both ordered and spread. */
export function laneTopologyFromConfig(config: {
  ORDERED_LANES: readonly LaneName[];
  ORDERED_LANE_PARTITIONS: number;
  SPREAD_LANES?: Readonly<Partial<Record<LaneName, number>>>;
}): LaneTopology {
  const spreadEntries = Object.entries(config.SPREAD_LANES ?? {}) as [LaneName, number][];
  const both = spreadEntries.filter(([lane]) => config.ORDERED_LANES.includes(lane)).map(([lane]) => lane);
  if (both.length > 0) {
    throw new LaneTopologyMismatchError(
      `SPREAD_LANES names ordered lanes (${both.join(', ')}): an ordered lane is spread by its partitions (ORDERED_LANE_PARTITIONS)`,
    );
  }
  const base: LaneTopology =
    config.ORDERED_LANES.length === 0
      ? unorderedTopology
      : { orderedLanes: [...config.ORDERED_LANES].sort(), partitions: config.ORDERED_LANE_PARTITIONS };
  // Sorted and without 1s, so the JSON every process compares in Redis is the same for the same meaning,
  // and a topology without spread lanes is stored as it was before they existed.
  const spread = spreadEntries.filter(([, queues]) => queues > 1).sort(([a], [b]) => a.localeCompare(b));
  return spread.length === 0 ? base : { ...base, spreadLanes: Object.fromEntries(spread) };
}

function describe(topology: LaneTopology): string {
  const ordered =
    topology.orderedLanes.length === 0
      ? 'no ordered lanes'
      : `ORDERED_LANES=${topology.orderedLanes.join(',')} ORDERED_LANE_PARTITIONS=${topology.partitions}`;
  const spread = Object.entries(topology.spreadLanes ?? {});
  return spread.length === 0
    ? ordered
    : `${ordered}, SPREAD_LANES=${spread.map(([lane, queues]) => `${lane}=${queues}`).join(',')}`;
}

/**
 * Records the topology in Redis on first use and refuses to run with a different one: a gateway that
 * partitions differently from the workers would strand events in queues nobody consumes. Changing it is
 * a deliberate step: drain the lanes, stop every process, delete the key, start again.
 */
export async function ensureLaneTopology(
  redis: Redis,
  keyPrefix: string,
  topology: LaneTopology,
): Promise<void> {
  const key = new RedisKeys(keyPrefix).laneTopology();
  const wanted = JSON.stringify(topology);
  const stored = (await redis.set(key, wanted, 'NX', 'GET')) ?? wanted;
  if (stored === wanted) return;
  let storedTopology: LaneTopology | undefined;
  try {
    storedTopology = JSON.parse(stored) as LaneTopology;
  } catch {
    // An unreadable value is reported like any mismatch.
  }
  throw new LaneTopologyMismatchError(
    `this process is configured with ${describe(topology)} but the cluster runs with ${
      storedTopology ? describe(storedTopology) : `an unreadable topology (${stored})`
    }; drain the lanes, stop every process and delete ${key} to change it`,
  );
}
