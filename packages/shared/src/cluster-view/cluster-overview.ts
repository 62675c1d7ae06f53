import { Queue } from 'bullmq';
import { type LaneTopology, laneQueueNames, unorderedTopology } from '../events/lane-topology.js';
import { type LaneName, laneNames } from '../events/lanes.js';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { readIdentifyBudgetExhaustion } from './identify-budget.js';
import { readLiveProcesses } from './live-processes.js';
import { type GenerationsView, readGenerations } from './reshard-view.js';
import { readShards, type ShardRow } from './shard-rows.js';

export interface LaneOverview {
  lane: LaneName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Age of the oldest waiting job: how far behind the lane's consumers are. */
  lagMs: number;
}

export interface FailedJobOverview {
  lane: LaneName;
  id: string;
  name: string;
  reason: string;
  failedAt: number;
}

export interface ClusterOverview {
  at: number;
  processes: { id: string; role: string; host: string; pid: number; uptimeMs: number; tasks: number }[];
  /** Rows of the active generation, then (during a reshard) of the new one. */
  shards: ShardRow[];
  /** The active shard generation and a reshard's progress. */
  generations: GenerationsView;
  shardsByState: Record<string, number>;
  /** Dispatches per second across all shards, from the change of their sequences since the last snapshot. */
  eventsPerSecond: number;
  lanes: LaneOverview[];
  failedJobs: FailedJobOverview[];
  rest: { requests: number; requestsPerSecond: number; rateLimited: Record<string, number>; invalid: number };
  identifyBudgetExhaustedUntil: number | null;
}

/**
 * The cluster's read model, for the dashboard and the operator CLI: builds the overview from Redis alone (shard leases and published states, the process registry,
 * the lane queues, the REST limiter's counters), so the dashboard needs no other process. Rates come from
 * the difference between two snapshots, never from per-event writes.
 */
export class ClusterOverviewReader {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #keys: RedisKeys;
  readonly #queues = new Map<string, Queue>();
  #topology: LaneTopology | undefined;
  #previous: { at: number; sequences: Map<string, number>; requests: number } | undefined;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#keyPrefix = keyPrefix;
    this.#keys = new RedisKeys(keyPrefix);
  }

  /** The lane queues, by lane, as the running cluster partitioned them. */
  async lanes(): Promise<{ lane: LaneName; queues: Queue[] }[]> {
    // Until a process has recorded the topology, read it again each time rather than keep a guess.
    this.#topology ??= await this.#readTopology();
    const topology = this.#topology ?? unorderedTopology;
    return laneNames.map((lane) => ({
      lane,
      queues: laneQueueNames(topology, lane).map((name) => this.#queue(name)),
    }));
  }

  async read(): Promise<ClusterOverview> {
    const at = Date.now();
    const [processes, shards, lanes, failedJobs, restStats, budget, generations] = await Promise.all([
      readLiveProcesses(this.#redis, this.#keyPrefix),
      readShards(this.#redis, this.#keyPrefix),
      this.#readLanes(at),
      this.#readFailedJobs(),
      this.#redis.hgetall(this.#keys.restStats()),
      readIdentifyBudgetExhaustion(this.#redis, this.#keyPrefix),
      readGenerations(this.#redis, this.#keyPrefix),
    ]);
    const sequences = new Map(
      shards.flatMap((shard) =>
        shard.sequence === null ? [] : [[`${shard.generation}:${shard.shard}`, shard.sequence]],
      ),
    );
    const requests = Number(restStats.requests ?? 0);
    const previous = this.#previous;
    const seconds = previous ? (at - previous.at) / 1_000 : 0;
    let sequenceDelta = 0;
    if (previous) {
      for (const [shard, sequence] of sequences) {
        const before = previous.sequences.get(shard);
        // A new session restarts its sequence: that shard adds nothing this time.
        if (before !== undefined && sequence >= before) sequenceDelta += sequence - before;
      }
    }
    this.#previous = { at, sequences, requests };
    const shardsByState: Record<string, number> = {};
    for (const shard of shards) shardsByState[shard.state] = (shardsByState[shard.state] ?? 0) + 1;
    return {
      at,
      processes: processes.map((record) => ({
        id: record.id,
        role: record.role,
        host: record.host,
        pid: record.pid,
        uptimeMs: at - record.startedAt,
        tasks: record.tasks.length,
      })),
      shards,
      generations,
      shardsByState,
      eventsPerSecond: seconds > 0 ? sequenceDelta / seconds : 0,
      lanes,
      failedJobs,
      rest: {
        requests,
        requestsPerSecond: previous && seconds > 0 ? Math.max(0, requests - previous.requests) / seconds : 0,
        rateLimited: Object.fromEntries(
          Object.entries(restStats)
            .filter(([name]) => name.startsWith('429:'))
            .map(([name, value]) => [name.slice(4), Number(value)]),
        ),
        invalid: Number(restStats.invalid ?? 0),
      },
      identifyBudgetExhaustedUntil: budget?.resetAt ?? null,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
  }

  async #readLanes(at: number): Promise<LaneOverview[]> {
    return Promise.all(
      (await this.lanes()).map(async ({ lane, queues }) => {
        const perQueue = await Promise.all(
          queues.map(async (queue) => {
            const [counts, [oldest]] = await Promise.all([
              queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
              queue.getJobs(['waiting'], 0, 0, true),
            ]);
            return { counts, oldestAt: oldest?.timestamp };
          }),
        );
        const sum = (state: string) =>
          perQueue.reduce((total, { counts }) => total + (counts[state] ?? 0), 0);
        const oldest = Math.min(...perQueue.map(({ oldestAt }) => oldestAt ?? at));
        return {
          lane,
          waiting: sum('waiting') + sum('prioritized'),
          active: sum('active'),
          delayed: sum('delayed'),
          failed: sum('failed'),
          lagMs: Math.max(0, at - oldest),
        };
      }),
    );
  }

  async #readFailedJobs(): Promise<FailedJobOverview[]> {
    const perLane = await Promise.all(
      (await this.lanes()).flatMap(({ lane, queues }) =>
        queues.map(async (queue) =>
          (await queue.getFailed(0, 9)).map((job) => ({
            lane,
            id: String(job.id),
            name: job.name,
            reason: job.failedReason ?? '',
            failedAt: job.finishedOn ?? job.timestamp,
          })),
        ),
      ),
    );
    return perLane
      .flat()
      .sort((left, right) => right.failedAt - left.failedAt)
      .slice(0, 10);
  }

  async #readTopology(): Promise<LaneTopology | undefined> {
    const stored = await this.#redis.get(this.#keys.laneTopology());
    if (!stored) return undefined;
    try {
      return JSON.parse(stored) as LaneTopology;
    } catch {
      return undefined;
    }
  }

  #queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.#redis, prefix: this.#keys.queuePrefix(name) });
      this.#queues.set(name, queue);
    }
    return queue;
  }
}
