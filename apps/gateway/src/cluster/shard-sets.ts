import {
  advanceReshard,
  type GenerationState,
  RedisKeys,
  readGenerationState,
  reshardTiming,
  type TaskMonitor,
} from '@dgc/shared';
import type { CacheIntake } from '../cache/cache-intake-throttle.js';
import type { CutOverRole } from '../dispatch/cut-over-gate.js';
import { ownershipTickMs, ShardSet, type ShardSetShared } from '../shards/shard-set.js';

/** How often a gateway runs a step of a reshard's state machine (the Lua script decides; any process may). */
const advanceEveryMs = 500;

/**
 * How far this process's clock may be ahead of Redis's: the switch time is Redis's `TIME` plus the lead,
 * compared with this process's idea of when it last read the record (see `CutOverGate.noSwitchBefore`).
 */
const clockMarginMs = 250;

/**
 * The shard sets this process runs, following the generation record in Redis: the active generation's
 * set always, and during a reshard the new generation's beside it. Each poll (every 250 ms) reconciles:
 * a reshard that started brings up the new set holding; the switch gives both sets their side of the
 * switch time; a commit retires the old set and makes the new one publish everything; a rollback retires
 * the new set. The old set keeps every lease until it is retired, so nothing it still owes is lost.
 */
export class ShardSets implements CacheIntake {
  readonly #shared: ShardSetShared;
  readonly #sets = new Map<number, ShardSet>();
  readonly #keys: RedisKeys;
  #activeGeneration: number;
  #lastAdvanceAt = 0;
  #lastReadAt = 0;
  /** Each set's tick under way: sets tick independently, so one set's slow tick delays no other's renewals. */
  readonly #ticking = new Map<ShardSet, Promise<void>>();
  #stopped = false;
  #intakePaused = false;

  /** `readAt`: when `state` was asked of Redis (before the request went out). */
  constructor(shared: ShardSetShared, state: GenerationState, readAt: number) {
    this.#shared = shared;
    this.#keys = new RedisKeys(shared.config.REDIS_KEY_PREFIX);
    this.#activeGeneration = state.active.generation;
    this.#lastReadAt = readAt;
    this.#reconcile(state, readAt);
  }

  /** The set of the active generation: the one whose shards commands go to and metrics describe. */
  get active(): ShardSet {
    const set = this.#sets.get(this.#activeGeneration);
    if (!set) throw new Error(`no shard set for the active generation ${this.#activeGeneration}`);
    return set;
  }

  all(): ShardSet[] {
    return [...this.#sets.values()];
  }

  /** Every running shard of the active set (metrics label shards by id: one set at a time). */
  snapshot(): ReturnType<ShardSet['connections']['snapshot']> {
    return this.active.connections.snapshot();
  }

  /** The state cache is behind: every set stops reading its sockets (a set started meanwhile too). */
  pauseIntake(): void {
    this.#intakePaused = true;
    for (const set of this.all()) set.connections.pauseIntake();
  }

  resumeIntake(): void {
    this.#intakePaused = false;
    for (const set of this.all()) set.connections.resumeIntake();
  }

  allRunning(): boolean {
    return this.all().every((set) => set.connections.allRunning());
  }

  /**
   * One ownership tick of every set. Never two at once in one set (two ticks could both take a shard's
   * lease and start it twice): a call during a set's tick waits for that one.
   */
  async tick(): Promise<void> {
    await Promise.all(this.all().map((set) => this.#tickOf(set)));
  }

  #tickOf(set: ShardSet): Promise<void> {
    let ticking = this.#ticking.get(set);
    if (!ticking) {
      ticking = set.tick().finally(() => this.#ticking.delete(set));
      this.#ticking.set(set, ticking);
    }
    return ticking;
  }

  async started(): Promise<void> {
    await Promise.all(this.all().map((set) => set.connections.started()));
  }

  schedule(tasks: TaskMonitor): void {
    const { logger, config } = this.#shared;
    // Also on its own timer: a tick waiting on a slow shard stop must not make this process look dead.
    tasks.every('gateway-membership', ownershipTickMs(config), () =>
      this.#shared.membership.heartbeat().then(
        () => undefined,
        (error: unknown) => logger.warn({ err: error }, 'gateway membership heartbeat failed'),
      ),
    );
    // Not awaited as one task: a run still under way is skipped, and a slow tick of one set (a new set
    // taking leases) must not skip the renewals of another (the old set's leases would expire).
    tasks.every('shard-ownership', ownershipTickMs(config), () => {
      for (const set of this.all())
        this.#tickOf(set).catch((error: unknown) => {
          logger.error(
            { err: error, generation: set.generation },
            'shard ownership tick failed; leases are renewed on the next one',
          );
        });
    });
    tasks.every('shard-generations', reshardTiming.pollMs, () =>
      this.follow().catch((error: unknown) =>
        logger.warn({ err: error }, 'following the shard generation failed'),
      ),
    );
    tasks.every(
      'shard-state-publish',
      2_000,
      async () => {
        await Promise.all(this.all().map((set) => set.publishStates()));
      },
      { runNow: true },
    );
    tasks.every('shard-watchdog', 1_000, () =>
      Promise.all(this.all().map((set) => set.checkWatchdog())).then(
        () => undefined,
        (error: unknown) => logger.error({ err: error }, 'shard watchdog failed to reconnect a shard'),
      ),
    );
    tasks.every('lost-lease-report', 1_000, () => {
      for (const set of this.all()) set.reportLostLeaseDrops();
    });
  }

  /** One poll of the generation record: reconcile the sets, confirm the cut-over, advance the reshard. */
  async follow(): Promise<void> {
    if (this.#stopped) return;
    const { redis, config } = this.#shared;
    if (Date.now() - this.#lastAdvanceAt >= advanceEveryMs) {
      this.#lastAdvanceAt = Date.now();
      await advanceReshard(redis, config.REDIS_KEY_PREFIX);
    }
    const readAt = Date.now();
    const state = await readGenerationState(redis, config.REDIS_KEY_PREFIX);
    if (!state || this.#stopped) return;
    const setsBefore = this.#sets.size;
    const retiring = this.#reconcile(state, readAt);
    this.#reportUndecided(readAt);
    // A set just started takes its leases now rather than at the next ownership tick.
    if (this.#sets.size > setsBefore)
      this.tick().catch((error: unknown) =>
        this.#shared.logger.warn({ err: error }, 'ownership tick failed'),
      );
    await this.#confirmCutOver(state);
    await Promise.all(retiring);
  }

  /** Creates, re-roles and retires sets to match the record; returns the retirements under way. */
  #reconcile(state: GenerationState, readAt: number): Promise<void>[] {
    const { logger } = this.#shared;
    const target = state.target;
    this.#activeGeneration = state.active.generation;
    const roles = new Map<number, { shardCount: number; role: CutOverRole }>();
    const switching = target?.phase === 'switching' ? target.switchAt : undefined;
    roles.set(state.active.generation, {
      shardCount: state.active.shardCount,
      role: switching ? { kind: 'before', switchAt: switching } : { kind: 'all' },
    });
    if (target) {
      roles.set(target.generation, {
        shardCount: target.shardCount,
        role: switching ? { kind: 'from', switchAt: switching } : { kind: 'none' },
      });
    }
    const retiring: Promise<void>[] = [];
    for (const [generation, set] of this.#sets) {
      const wanted = roles.get(generation);
      if (wanted && wanted.shardCount === set.shardCount) {
        if (JSON.stringify(set.gate.role) !== JSON.stringify(wanted.role)) {
          const lateMs = wanted.role.kind === 'from' ? Date.now() - wanted.role.switchAt : 0;
          if (lateMs > 0)
            logger.warn(
              { generation, lateMs },
              'learned the switch time after it came (a stalled poll): the holding set published what came meanwhile',
            );
          logger.info({ generation, role: wanted.role }, 'shard set changes its cut-over role');
          set.gate.role = wanted.role;
        }
        this.#boundSwitch(set, readAt);
        continue;
      }
      this.#sets.delete(generation);
      const reason =
        generation < state.active.generation
          ? 'resharded: a newer shard set carries the guilds'
          : 'reshard rolled back';
      logger.info({ generation, reason }, 'retiring a shard set');
      retiring.push(
        set
          .retire(reason)
          .catch((error: unknown) => logger.error({ err: error, generation }, 'retiring failed')),
      );
    }
    for (const [generation, { shardCount, role }] of roles) {
      if (this.#sets.has(generation)) continue;
      logger.info({ generation, shardCount, role }, 'starting a shard set');
      const set = new ShardSet(this.#shared, generation, shardCount, role);
      this.#boundSwitch(set, readAt);
      if (this.#intakePaused) set.connections.pauseIntake();
      this.#sets.set(generation, set);
    }
    return retiring;
  }

  /**
   * A holding set learns how long its role is certain: the record read at `readAt` said holding, so a
   * switch time, set later at Redis's time plus the lead, cannot come before `readAt` + lead.
   */
  #boundSwitch(set: ShardSet, readAt: number): void {
    if (set.gate.role.kind === 'none')
      set.gate.noSwitchBefore = readAt + reshardTiming.leadMs - clockMarginMs;
  }

  /** Logs what holding sets published because this process's last poll was too old to rule a switch out. */
  #reportUndecided(readAt: number): void {
    for (const set of this.all()) {
      const published = set.gate.takeUndecided();
      if (published > 0)
        this.#shared.logger.warn(
          { generation: set.generation, published, pollGapMs: readAt - this.#lastReadAt },
          'a holding shard set published events it could not rule out as past the switch time (the generation record was not read in time); the workers drop doubles',
        );
    }
    this.#lastReadAt = readAt;
  }

  /** While switching: the old set's shards that saw past the switch time (and published what came before). */
  async #confirmCutOver(state: GenerationState): Promise<void> {
    if (state.target?.phase !== 'switching') return;
    const set = this.#sets.get(state.active.generation);
    const confirmed = set?.cutOverConfirmed() ?? [];
    if (confirmed.length === 0) return;
    const key = this.#keys.generationCutOver(state.active.generation);
    const pipeline = this.#shared.redis.pipeline();
    for (const shardId of confirmed) pipeline.hsetnx(key, String(shardId), Date.now());
    await pipeline.exec();
  }

  /** On shutdown: every set's shards are handed over with their sessions kept. */
  async handOver(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.all().map((set) => set.handOver()));
  }

  async closeSessions(): Promise<void> {
    await Promise.all(this.all().map((set) => set.sessions.close()));
  }
}
