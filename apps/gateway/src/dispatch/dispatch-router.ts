import { createLaneRouter, type LaneName, type Logger, type TaskMonitor } from '@dgc/shared';
import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import type { StateCacheWriter } from '../cache/state-cache-writer.js';
import type { HeldShardLeases } from '../cluster/held-shard-leases.js';
import type { RedisSessionStore } from '../cluster/redis-session-store.js';
import type { GatewayCounters } from '../gateway-counters.js';
import { JointWriteReceipt } from '../publish/joint-write-receipt.js';
import type { LanePublishers } from '../publish/lane-publishers.js';
import { dispatchJobId, envelopeOf } from './dispatch-envelope.js';
import type { DispatchGuard } from './dispatch-guard.js';
import type { EventFilter } from './event-filter.js';
import type { LaneBackpressure } from './lane-backpressure.js';

export interface DispatchRouterOptions {
  /** A dispatch of a shard whose lease this process lost is dropped (its next owner replays it). */
  leases: Pick<HeldShardLeases, 'holds'>;
  /** Each shard's published watermark, and the session that names its jobs. */
  sessions: Pick<RedisSessionStore, 'watermark' | 'sessionIdOf'>;
  /** Which events some handler wants. */
  filter: Pick<EventFilter, 'wants'>;
  /** Event name → lane, over the defaults (`GATEWAY_LANE_ROUTES`). */
  laneRoutes: Readonly<Record<string, LaneName>>;
  backpressure: Pick<LaneBackpressure, 'shouldShed'>;
  publishers: Pick<LanePublishers, 'publisherFor'>;
  /** The state cache stage: sees the events that change the cache whether or not a handler wants them. */
  cache: Pick<StateCacheWriter, 'handles' | 'apply'>;
  counters: Pick<GatewayCounters, 'droppedForLostLease'>;
  /** Parks malformed dispatches (and any this stage fails on) instead of queueing them. */
  guard?: Pick<DispatchGuard, 'accepts' | 'routerFailed'>;
  logger: Logger;
  /**
   * During a reshard: whether this shard set publishes a dispatch (the cut-over rule). One it does not is
   * let go like an unwanted one (the cache still gets what it needs).
   */
  gate?: { publishes(dispatch: GatewayDispatchPayload, shardId: number): boolean };
}

/**
 * The second stage of the gateway: every dispatch a shard receives comes here, and either goes to its
 * lane's publisher, wrapped in its envelope and named by its job id, or is let go — not ours any more
 * (lease lost), not wanted by any handler, or shed because its lane is backed up. Either way the shard's
 * published watermark learns of it: a forwarded dispatch counts as published once its write receipt is
 * confirmed, a dropped one at once, so the stored resume point never passes an event not yet in Redis.
 * Events that change the shared state cache also go to the cache stage, forwarded or not; they count as
 * published once the cache has them too.
 */
export class DispatchRouter {
  readonly #leases: DispatchRouterOptions['leases'];
  readonly #sessions: DispatchRouterOptions['sessions'];
  readonly #filter: DispatchRouterOptions['filter'];
  readonly #laneOf: (event: string) => LaneName;
  readonly #backpressure: DispatchRouterOptions['backpressure'];
  readonly #publishers: DispatchRouterOptions['publishers'];
  readonly #cache: DispatchRouterOptions['cache'];
  readonly #counters: DispatchRouterOptions['counters'];
  readonly #guard: DispatchRouterOptions['guard'];
  readonly #logger: Logger;
  readonly #gate: DispatchRouterOptions['gate'];
  #droppedForLostLease = 0;

  constructor(options: DispatchRouterOptions) {
    this.#leases = options.leases;
    this.#sessions = options.sessions;
    this.#filter = options.filter;
    this.#laneOf = createLaneRouter(options.laneRoutes);
    this.#backpressure = options.backpressure;
    this.#publishers = options.publishers;
    this.#cache = options.cache;
    this.#counters = options.counters;
    this.#guard = options.guard;
    this.#logger = options.logger;
    this.#gate = options.gate;
  }

  /** Called by the shard connections for every dispatch, in the shard's sequence order. */
  route(dispatch: GatewayDispatchPayload, shardId: number): void {
    // A lease lost while this process was paused: the event is not ours to write (nor to count as
    // published); the shard's next owner resumes from the stored session and receives it again.
    if (!this.#leases.holds(shardId)) {
      this.#droppedForLostLease += 1;
      return;
    }
    const guard = this.#guard;
    if (!guard) {
      this.#forward(dispatch, shardId);
      return;
    }
    // A parked dispatch leaves the watermark alone: its `s` cannot be trusted, and the watermark needs no
    // contiguous sequences (it moves to the highest confirmed one).
    if (!guard.accepts(dispatch, shardId)) return;
    try {
      this.#forward(dispatch, shardId);
    } catch (error) {
      guard.routerFailed(dispatch, shardId, error);
    }
  }

  #forward(dispatch: GatewayDispatchPayload, shardId: number): void {
    const watermark = this.#sessions.watermark(shardId);
    const lane = this.#laneOf(dispatch.t);
    const publisher =
      this.#filter.wants(dispatch.t) && (this.#gate?.publishes(dispatch, shardId) ?? true)
        ? this.#publishers.publisherFor(lane, dispatch.d)
        : undefined;
    const cached = this.#cache.handles(dispatch.t);
    if (!publisher || this.#backpressure.shouldShed(lane, dispatch.t)) {
      if (cached) this.#cache.apply(dispatch, shardId, watermark.accept(dispatch.s));
      else watermark.skip(dispatch.s);
      return;
    }
    let receipt = watermark.accept(dispatch.s);
    if (cached) {
      receipt = new JointWriteReceipt(receipt, 2);
      this.#cache.apply(dispatch, shardId, receipt);
    }
    publisher.publish(
      envelopeOf(dispatch, shardId, Date.now()),
      receipt,
      dispatchJobId(shardId, this.#sessions.sessionIdOf(shardId), dispatch.s),
    );
  }

  /** Reports lost-lease drops every second: logged in bulk, never per dispatch. */
  schedule(tasks: TaskMonitor): void {
    tasks.every('lost-lease-report', 1_000, () => this.reportLostLeaseDrops());
  }

  /** Logs and counts the dispatches dropped for a lost lease since the last report. */
  reportLostLeaseDrops(): void {
    if (this.#droppedForLostLease === 0) return;
    this.#logger.warn(
      { dropped: this.#droppedForLostLease },
      'dropped dispatches of shards whose lease this process lost (their next owner resumes them)',
    );
    this.#counters.droppedForLostLease(this.#droppedForLostLease);
    this.#droppedForLostLease = 0;
  }
}
