import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, TaskMonitor } from '@dgc/shared';
import type { GatewayMembership } from './gateway-membership.js';
import type { HeldShardLeases } from './held-shard-leases.js';
import type { ShardLeases } from './shard-leases.js';

const stopTimeoutMs = 10_000;

/** Starts and stops this process's shard connections as leases are won and lost. */
export interface ShardRunner {
  start(shardId: number): Promise<void>;
  /** Stops a shard keeping its session resumable for the next owner, or with `logout` ending it. */
  stop(shardId: number, reason: string, logout?: boolean): Promise<void>;
}

export interface ShardOwnershipOptions {
  leases: ShardLeases;
  /** What this process holds, shared with the readers that check it before writing a shard's events. */
  held: HeldShardLeases;
  membership: GatewayMembership;
  /** Shards this process may run: the pinned ids, or every shard of the bot. */
  candidates: readonly number[];
  /** Upper bound on shards this process runs at once. */
  capacity: number;
  runner: ShardRunner;
  /** How often leases are renewed and the membership refreshed: well within the lease TTL. */
  tickEveryMs: number;
  logger: Logger;
}

/**
 * Decides which shards this process runs, one tick at a time: renew the leases it holds (a lease it lost
 * stops its shard at once — never two connections for one shard), then move towards a fair share of the
 * candidates among the live gateway processes: claim free shards when below it (a dead process's shards
 * come free when its leases expire), hand one shard over per tick when above it (a process that just
 * joined gets work without a burst of reconnects).
 */
export class ShardOwnership {
  readonly #options: ShardOwnershipOptions;
  readonly #held: HeldShardLeases;
  /**
   * Shards being stopped (lost or handed over), each until its lease is released. A stop can take
   * seconds (a socket's close handshake, a shard waiting for its identify turn), longer than the lease
   * TTL: the tick must not wait for it, or every other lease of this process expires meanwhile.
   */
  readonly #stopping = new Map<number, Promise<void>>();
  #stopped = false;

  constructor(options: ShardOwnershipOptions) {
    this.#options = options;
    this.#held = options.held;
  }

  get shards(): number[] {
    return this.#held.shardIds();
  }

  /**
   * Marks this process alive in the membership. The gateway runs it on its own timer as well as in every
   * tick: a tick waiting on a slow shard stop must not make this process look dead to the others (they
   * would take a larger share, and the new process would get none).
   */
  async heartbeat(): Promise<number> {
    return this.#options.membership.heartbeat();
  }

  /** Renews leases and refreshes the membership from now on (the first shards may wait seconds to identify). */
  schedule(tasks: TaskMonitor): void {
    const { tickEveryMs, logger } = this.#options;
    tasks.every('gateway-membership', tickEveryMs, () =>
      this.heartbeat().then(
        () => undefined,
        (error: unknown) => logger.warn({ err: error }, 'gateway membership heartbeat failed'),
      ),
    );
    tasks.every('shard-ownership', tickEveryMs, () =>
      this.tick().catch((error: unknown) => {
        logger.error({ err: error }, 'shard ownership tick failed; leases are renewed on the next one');
      }),
    );
  }

  async tick(): Promise<void> {
    if (this.#stopped) return;
    const { leases, candidates, capacity, runner, logger } = this.#options;
    const live = await this.heartbeat();
    for (const [shardId, lease] of this.#held.entries()) {
      // Expired by our own clock (we were paused): its events since were not written, so the shard must be
      // resumed from the stored session, by whoever takes it next, even if Redis still shows our lease.
      // Asked again after the renewal: a dispatch that found the lease expired while the renewal was on its
      // way was dropped, and the lease stays fenced then (see `HeldShardLeases.holds`).
      const valid = this.#held.holds(shardId);
      const renewed = valid && (await leases.renew(lease));
      if (renewed && this.#held.holds(shardId)) continue;
      const takenOver = valid && !renewed;
      this.#held.delete(shardId);
      logger.error(
        { shardId, reason: takenOver ? 'taken over' : 'expired before renewal' },
        'lost the lease of a shard; stopping it',
      );
      this.#inBackground(shardId, async () => {
        await this.#stopShard(shardId, 'lease lost');
        if (!takenOver) await leases.release(lease).catch(() => false);
      });
    }
    const target = Math.min(capacity, Math.ceil(candidates.length / live));
    if (this.#held.size > target) {
      const shardId = this.#held.newest();
      if (shardId !== undefined)
        this.#inBackground(shardId, () => this.#handOver(shardId, 'rebalancing towards a fair share'));
      return;
    }
    for (const shardId of candidates) {
      if (this.#held.size >= target || this.#stopped) break;
      // A shard still stopping here is taken again only once its old connection is gone.
      if (this.#held.has(shardId) || this.#stopping.has(shardId)) continue;
      const lease = await leases.acquire(shardId);
      if (!lease) continue;
      this.#held.set(shardId, lease);
      logger.info({ shardId, fencingToken: lease.token }, 'took the lease of a shard');
      // Not awaited: an identify may wait its turn for seconds, and leases must keep being renewed.
      runner.start(shardId).catch(async (error: unknown) => {
        logger.error({ err: error, shardId }, 'starting a shard failed; releasing it');
        if (this.#held.get(shardId) !== lease) return;
        this.#held.delete(shardId);
        await leases.release(lease).catch(() => {});
      });
    }
  }

  /** On shutdown: stop every shard with its session kept, release the leases, leave the membership. */
  async releaseAll(): Promise<void> {
    this.#stopped = true;
    await Promise.all([
      ...this.shards.map((shardId) => this.#handOver(shardId, 'gateway shutting down')),
      ...this.#stopping.values(),
    ]);
    await this.#options.membership.leave();
  }

  /**
   * A retired shard set (after a reshard switched, or one rolled back): stop taking shards, end every held
   * shard's session (close 1000) and release its lease. The membership stays: other sets of the process
   * run on.
   */
  async retireAll(reason: string): Promise<void> {
    this.#stopped = true;
    await Promise.all(
      this.shards.map(async (shardId) => {
        const lease = this.#held.get(shardId);
        this.#held.delete(shardId);
        await this.#stopShard(shardId, reason, true);
        if (lease) await this.#options.leases.release(lease).catch(() => false);
      }),
    );
    await Promise.all(this.#stopping.values());
  }

  /** Resolves once every stop under way (lost or handed-over shards) ended and released its lease. */
  async stopsSettled(): Promise<void> {
    await Promise.all(this.#stopping.values());
  }

  /** Runs a shard's stop beside the ticks (see `#stopping`); a failure is logged, the shard stays stopped. */
  #inBackground(shardId: number, stop: () => Promise<void>): void {
    const running = stop()
      .catch((error: unknown) =>
        this.#options.logger.error({ err: error, shardId }, 'stopping a shard failed'),
      )
      .finally(() => this.#stopping.delete(shardId));
    this.#stopping.set(shardId, running);
  }

  /** Stops a shard, waiting at most `stopTimeoutMs`: the tick renews every other lease and must go on. */
  async #stopShard(shardId: number, reason: string, logout = false): Promise<void> {
    const stopped = this.#options.runner.stop(shardId, reason, logout).then(() => true);
    const finished = await Promise.race([stopped, sleep(stopTimeoutMs, false, { ref: false })]);
    if (!finished) {
      this.#options.logger.warn(
        { shardId, reason, waitedMs: stopTimeoutMs },
        'stopping a shard is slow; going on',
      );
    }
  }

  async #handOver(shardId: number, reason: string): Promise<void> {
    const lease = this.#held.get(shardId);
    this.#held.delete(shardId);
    await this.#stopShard(shardId, reason);
    if (lease) await this.#options.leases.release(lease);
    this.#options.logger.info({ shardId, reason }, 'handed a shard over');
  }
}
