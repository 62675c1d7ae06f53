import type { Logger, Redis, TaskMonitor } from '@dgc/shared';
import type { APIGatewayBotInfo } from 'discord-api-types/v10';
import type { StateCacheWriter } from '../cache/state-cache-writer.js';
import type { GatewayMembership } from '../cluster/gateway-membership.js';
import { HeldShardLeases } from '../cluster/held-shard-leases.js';
import { RedisSessionStore } from '../cluster/redis-session-store.js';
import { ShardLeases } from '../cluster/shard-leases.js';
import { ShardOwnership } from '../cluster/shard-ownership.js';
import type { GatewayConfig } from '../config.js';
import { CutOverGate, type CutOverRole, confirmsCutOver } from '../dispatch/cut-over-gate.js';
import type { DispatchGuard } from '../dispatch/dispatch-guard.js';
import { DispatchRouter } from '../dispatch/dispatch-router.js';
import type { EventFilter } from '../dispatch/event-filter.js';
import type { LaneBackpressure } from '../dispatch/lane-backpressure.js';
import type { GatewayCounters } from '../gateway-counters.js';
import type { LanePublishers } from '../publish/lane-publishers.js';
import { GuildReadiness } from './guild-readiness.js';
import { ShardConnections } from './shard-connections.js';
import { ShardStateReport } from './shard-state-report.js';
import { ShardWatchdog } from './shard-watchdog.js';

/** What every shard set of a process shares: the later pipeline stages and the process's identity. */
export interface ShardSetShared {
  config: GatewayConfig;
  redis: Redis;
  owner: string;
  membership: GatewayMembership;
  filter: Pick<EventFilter, 'wants'>;
  backpressure: Pick<LaneBackpressure, 'shouldShed'>;
  publishers: Pick<LanePublishers, 'publisherFor'>;
  cache: Pick<StateCacheWriter, 'handles' | 'apply'>;
  counters: GatewayCounters;
  /** Checks every dispatch (size, shape) and parks what cannot be queued; shared by every set. */
  guard: DispatchGuard;
  gatewayInformation: (force?: boolean) => Promise<APIGatewayBotInfo>;
  tasks: TaskMonitor;
  logger: Logger;
}

/**
 * One generation's shards in this process: its leases, sessions, connections and dispatch router, with a
 * cut-over gate deciding what it publishes. A process runs one set, and two during a reshard (the old set
 * and the one being brought up); the lane publishers and the cache behind the routers are shared.
 */
export class ShardSet {
  readonly generation: number;
  readonly shardCount: number;
  readonly held = new HeldShardLeases();
  readonly sessions: RedisSessionStore;
  readonly connections: ShardConnections;
  readonly ownership: ShardOwnership;
  readonly gate: CutOverGate;
  readonly #report: ShardStateReport;
  readonly #watchdog: ShardWatchdog;
  readonly #router: DispatchRouter;
  #retired = false;

  constructor(shared: ShardSetShared, generation: number, shardCount: number, role: CutOverRole) {
    const { config, redis, logger: parentLogger } = shared;
    const logger = parentLogger.child({ generation });
    const keyPrefix = config.REDIS_KEY_PREFIX;
    this.generation = generation;
    this.shardCount = shardCount;
    this.gate = new CutOverGate(role);
    this.sessions = new RedisSessionStore({ redis, keyPrefix, generation, logger });
    this.#router = new DispatchRouter({
      leases: this.held,
      sessions: this.sessions,
      filter: shared.filter,
      laneRoutes: config.GATEWAY_LANE_ROUTES,
      backpressure: shared.backpressure,
      publishers: shared.publishers,
      cache: shared.cache,
      counters: shared.counters,
      guard: shared.guard,
      logger,
      gate: this.gate,
    });
    // Only a set brought up by a reshard reports readiness: the switch waits for its guilds.
    const readiness =
      role.kind === 'none'
        ? new GuildReadiness({ redis, keyPrefix, generation, logger, sessions: this.sessions })
        : undefined;
    const router = this.#router;
    this.connections = new ShardConnections({
      config,
      generation,
      shardCount,
      gatewayInformation: shared.gatewayInformation,
      redis,
      sessions: this.sessions,
      tasks: shared.tasks,
      logger,
      counters: shared.counters,
      reportFrame: shared.guard.reportFrame,
      router: {
        route: (dispatch, shardId) => {
          readiness?.see(dispatch, shardId);
          router.route(dispatch, shardId);
        },
      },
      ...(readiness
        ? {
            onReady: (shardId, data) => readiness.ready(shardId, data),
            onResumed: (shardId) => readiness.resumed(shardId),
          }
        : {}),
    });
    // What Redis lost, Discord replays: a restarted or promoted Redis holds an older watermark than this
    // process wrote; the shard resumes from it (README: "Redis failures lose no event").
    const connections = this.connections;
    this.sessions.onServerReplaced((shardId) => {
      shared.tasks
        .run(`resume shard ${generation}:${shardId} after Redis lost writes`, () =>
          connections.resumeFromStoredSequence(shardId, () => this.held.holds(shardId)),
        )
        .catch((error: unknown) =>
          logger.error({ err: error, shardId }, 'resuming a shard after Redis lost writes failed'),
        );
    });
    const candidates =
      config.GATEWAY_SHARD_IDS?.filter((id) => id < shardCount) ??
      Array.from({ length: shardCount }, (_, shardId) => shardId);
    const ttlMs = config.GATEWAY_LEASE_TTL_MS;
    this.ownership = new ShardOwnership({
      leases: new ShardLeases({ redis, keyPrefix, owner: shared.owner, ttlMs, generation }),
      held: this.held,
      membership: shared.membership,
      candidates,
      capacity: config.GATEWAY_SHARD_CAPACITY ?? candidates.length,
      runner: this.connections,
      tickEveryMs: ownershipTickMs(config),
      logger,
    });
    this.#report = new ShardStateReport({
      redis,
      keyPrefix,
      owner: shared.owner,
      generation,
      shards: this.connections,
      sessions: this.sessions,
    });
    this.#watchdog = new ShardWatchdog({
      shards: this.connections,
      stuckAfterMs: config.GATEWAY_WATCHDOG_STUCK_MS,
      silentAfterMs: config.GATEWAY_WATCHDOG_SILENT_MS,
      logger,
    });
  }

  get retired(): boolean {
    return this.#retired;
  }

  /** Renews, takes and hands over leases (the process's ownership timer runs it for every set). */
  async tick(): Promise<void> {
    if (!this.#retired) await this.ownership.tick();
  }

  async publishStates(): Promise<void> {
    if (!this.#retired) await this.#report.publish();
  }

  async checkWatchdog(): Promise<void> {
    if (!this.#retired) await this.#watchdog.check();
  }

  reportLostLeaseDrops(): void {
    this.#router.reportLostLeaseDrops();
  }

  /** Shards that owe nothing from before the switch time any more (the old set's confirmation). */
  cutOverConfirmed(): number[] {
    const role = this.gate.role;
    if (role.kind !== 'before') return [];
    return this.held.shardIds().filter((shardId) =>
      confirmsCutOver(
        {
          pastSwitchFrom: this.gate.pastSwitchFrom(shardId),
          watermark: this.sessions.watermark(shardId).value,
          connection: this.connections.receiveProgress(shardId),
        },
        role.switchAt,
      ),
    );
  }

  /** Ends the set: every shard's session is closed for good (the other set carries the guilds now). */
  async retire(reason: string): Promise<void> {
    if (this.#retired) return;
    this.#retired = true;
    await this.ownership.retireAll(reason);
  }

  /** On shutdown: shards are handed over with their sessions kept, for another process to resume. */
  async handOver(): Promise<void> {
    this.#retired = true;
    await this.ownership.releaseAll();
  }
}

export function ownershipTickMs(config: GatewayConfig): number {
  return Math.min(1_000, Math.floor(config.GATEWAY_LEASE_TTL_MS / 3));
}
