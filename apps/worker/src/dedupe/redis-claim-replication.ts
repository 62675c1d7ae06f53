import { type Redis, RedisKeys, withRedisScripts } from '@dgc/shared';
import type { AttemptStatus, ClaimReplication, ReplicationVerdict } from './claim-replication.js';
import type { DedupeWaitPlan } from './dedupe-wait-policy.js';

/** The mark only has to outlive the WAIT after it; every check writes it again. */
const markTtlMs = 60_000;

interface Waiter {
  attemptKey: string;
  status: AttemptStatus;
  resolve(verdict: ReplicationVerdict): void;
  reject(error: unknown): void;
}

/** A pipeline with the check script defined on it (`withRedisScripts` defines it on the connection's pipelines). */
interface CheckPipeline {
  checkAttempts(numberOfKeys: number, ...keysThenArgs: (string | number)[]): CheckPipeline;
  wait(replicas: number, timeoutMs: number): CheckPipeline;
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

/**
 * Connections opened as checks first need them, at most `max`: a worker whose Redis has no replica to
 * wait for never checks, so it opens none.
 */
export interface CheckConnectionSource {
  open(): Redis;
  max: number;
}

export interface RedisClaimReplicationOptions {
  /**
   * Connections of their own (a small pool; one is enough for correctness). WAIT blocks the connection it
   * runs on until the replicas answer or the timeout passes: on the worker's command connection every claim,
   * done mark and queue command of the process would queue behind it. With more than one, a check starts as
   * soon as a connection is free instead of after the check in flight, and the checks in flight share the
   * replica's acknowledgement (the primary asks its replicas once for all the WAITs blocked at the time).
   */
  connections: readonly Redis[] | CheckConnectionSource;
  keyPrefix: string;
  /** WAIT's timeout (WORKER_DEDUPE_WAIT_TIMEOUT_MS). */
  timeoutMs: number;
  /** Read at each check: whether to check and how many replicas to wait for right now. */
  plan(): DedupeWaitPlan;
}

/**
 * Replication checks for the dedupe, on connections of their own, at most one in flight per connection,
 * each covering every attempt that asked before it was sent (group commit): under load one WAIT serves all
 * the jobs that claimed while the connections were busy, so its cost is paid per round trip, not per job.
 *
 * A check is one pipeline: `checkAttempts-n.lua` writes the replication mark and answers whether the server
 * holds each waiting attempt's status, then `WAIT n timeout`. WAIT counts from the last write of the
 * connection it runs on; the mark is that write, and since a server applies and replicates writes in one
 * order, a replica that acknowledged the mark holds every claim the server applied before it. Asking
 * whether the server holds the status is what makes this hold across a failover: a check sent to the
 * promoted replica finds an attempt it never received `lost` instead of waiting for replicas of a server
 * that never had it. The script and its WAIT always reach one server: ioredis sends an unanswered pipeline
 * again whole after a reconnect, and rejects the rest of one cut in the middle (the check then rejects and
 * the dedupe asks again). On a Redis Cluster the mark's `{dedupe}` tag sends the pipeline, WAIT included,
 * to the node holding the dedupe keys.
 */
export class RedisClaimReplication implements ClaimReplication {
  /** The connections no check is using right now. */
  readonly #idle: Redis[];
  /** Opens another connection while fewer than its `max` are open; unset when the caller gave them all. */
  readonly #source: CheckConnectionSource | undefined;
  #opened = 0;
  readonly #markKey: string;
  readonly #timeoutMs: number;
  readonly #plan: () => DedupeWaitPlan;
  #pending: Waiter[] = [];

  constructor(options: RedisClaimReplicationOptions) {
    const { connections } = options;
    if ('open' in connections) {
      if (connections.max < 1) throw new Error('RedisClaimReplication needs a connection');
      this.#source = connections;
      this.#idle = [];
    } else {
      if (connections.length === 0) throw new Error('RedisClaimReplication needs a connection');
      this.#idle = connections.map((connection) => withRedisScripts(connection));
    }
    this.#markKey = new RedisKeys(options.keyPrefix).dedupeReplicationMark();
    this.#timeoutMs = options.timeoutMs;
    this.#plan = options.plan;
  }

  confirm(attemptKey: string, status: AttemptStatus): Promise<ReplicationVerdict> {
    if (!this.#plan().check) return Promise.resolve({ kind: 'replicated' });
    return new Promise((resolve, reject) => {
      this.#pending.push({ attemptKey, status, resolve, reject });
      const connection = this.#idle.pop() ?? this.#openAnother();
      if (connection) void this.#checkWhilePending(connection);
    });
  }

  #openAnother(): Redis | undefined {
    if (!this.#source || this.#opened >= this.#source.max) return undefined;
    this.#opened += 1;
    return withRedisScripts(this.#source.open());
  }

  /** Checks on `connection` while attempts wait; those that ask meanwhile go together into the next check. */
  async #checkWhilePending(connection: Redis): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const waiters = this.#pending;
        this.#pending = [];
        await this.#check(connection, waiters);
      }
    } finally {
      this.#idle.push(connection);
    }
  }

  async #check(connection: Redis, waiters: readonly Waiter[]): Promise<void> {
    const plan = this.#plan();
    const pipeline = connection.pipeline() as unknown as CheckPipeline;
    pipeline.checkAttempts(
      waiters.length + 1,
      this.#markKey,
      ...waiters.map((waiter) => waiter.attemptKey),
      markTtlMs,
      ...waiters.map((waiter) => waiter.status),
    );
    if (plan.waitFor > 0) pipeline.wait(plan.waitFor, this.#timeoutMs);
    try {
      const replies = (await pipeline.exec()) ?? [];
      const [checkError, held] = replies[0] ?? [new Error('the replication check got no reply'), []];
      const [waitError, acknowledged] = plan.waitFor > 0 ? (replies[1] ?? [null, 0]) : [null, 0];
      if (checkError) throw checkError;
      if (waitError) throw waitError;
      waiters.forEach((waiter, index) => {
        waiter.resolve(verdict((held as number[])[index] === 1, Number(acknowledged), plan.wanted));
      });
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}

function verdict(held: boolean, acknowledged: number, wanted: number): ReplicationVerdict {
  if (!held) return { kind: 'lost' };
  return acknowledged >= wanted ? { kind: 'replicated' } : { kind: 'short', acknowledged, wanted };
}
