import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { TaskMonitor } from '../lifecycle/task-monitor.js';
import type { ProcessMetrics } from '../observability/process-metrics.js';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { EventSubscriptions } from './event-subscriptions.js';
import { ensureLaneTopology, type LaneTopology } from './lane-topology.js';

/** Often enough that a Redis restarted empty is noticed and repaired well within 30 s; three commands a run. */
export const ownedRedisStateCheckEveryMs = 5_000;

/** State a process can write again only once it knows Redis lost it (writing it every round would not be idempotent). */
export interface RestorableRedisState {
  /** Named in the log line that reports the loss. */
  description: string;
  restore(): Promise<void>;
}

export interface OwnedRedisStateOptions {
  redis: Redis;
  keyPrefix: string;
  /** The lane topology the process runs with (gateways, workers); none for processes without lanes. */
  topology?: LaneTopology;
  /** The dispatch events this process's handlers want (workers); none for a gateway. */
  subscribedEvents?: readonly string[];
  restorable?: readonly RestorableRedisState[];
  /** What the process loses with Redis's data and cannot get back, for the log line that reports it. */
  unrecoverable: string;
  logger: Logger;
  metrics?: ProcessMetrics;
}

/**
 * The Redis state a process owns, written again whenever Redis may have lost it: the lane topology, the
 * events its handlers subscribe to, and the data epoch that tells it Redis lost its data (then `restorable`
 * state, such as the scheduler's job schedulers, is written again too). A Redis restarted
 * without persistence (or failed over to a replica that had not caught up) comes back empty; a gateway
 * started then would otherwise find no subscribed events and the topology unchecked, and nobody would know
 * what was lost. Every write is idempotent, so running on every reconnect and periodically is safe.
 */
export class OwnedRedisState {
  readonly #options: OwnedRedisStateOptions;
  readonly #keys: RedisKeys;
  readonly #subscriptions: EventSubscriptions;
  readonly #dataLosses: Counter | undefined;
  #epoch: string | undefined;
  /** Rounds run one after another, so one loss is reported once even when a reconnect meets a tick. */
  #previousRound: Promise<void> = Promise.resolve();

  constructor(options: OwnedRedisStateOptions) {
    this.#options = options;
    this.#keys = new RedisKeys(options.keyPrefix);
    this.#subscriptions = new EventSubscriptions(options.keyPrefix);
    this.#dataLosses = options.metrics
      ? new Counter({
          name: 'dgc_redis_data_losses_total',
          help: 'Times this process found Redis had lost its data (restarted empty, failed over to an empty replica)',
          registers: [options.metrics.registry],
        })
      : undefined;
  }

  /** Writes the state now (the process's start), then on every reconnect and every few seconds. */
  async establish(tasks: TaskMonitor): Promise<void> {
    await this.reassert();
    tasks.every('re-assert owned Redis state', ownedRedisStateCheckEveryMs, () => this.reassert());
    // A reconnect is when Redis most likely lost something: repair at once rather than at the next tick.
    this.#options.redis.on('ready', () => {
      tasks.run('re-assert owned Redis state after reconnecting', () => this.reassert()).catch(() => {});
    });
  }

  /** One round: epoch, topology, subscriptions. Reports a data loss once per loss. */
  reassert(): Promise<void> {
    const round = this.#previousRound.catch(() => {}).then(() => this.#round());
    this.#previousRound = round;
    return round;
  }

  async #round(): Promise<void> {
    const { redis, keyPrefix, topology, subscribedEvents, logger } = this.#options;
    const proposed = randomUUID();
    const epoch = (await redis.set(this.#keys.dataEpoch(), proposed, 'NX', 'GET')) ?? proposed;
    if (topology) await ensureLaneTopology(redis, keyPrefix, topology);
    if (subscribedEvents) await this.#subscriptions.register(redis, subscribedEvents);
    const lost = this.#epoch !== undefined && epoch !== this.#epoch;
    this.#epoch = epoch;
    if (lost) {
      this.#dataLosses?.inc();
      for (const state of this.#options.restorable ?? []) await state.restore();
      logger.error(
        { lost: this.#options.unrecoverable, reestablished: this.#reestablished() },
        'Redis lost its data (restarted empty or failed over to an empty replica); re-established what this process owns',
      );
    }
  }

  #reestablished(): string[] {
    const { topology, subscribedEvents, restorable = [] } = this.#options;
    return [
      ...(topology ? ['lane topology'] : []),
      ...(subscribedEvents ? ['subscribed events'] : []),
      ...restorable.map((state) => state.description),
    ];
  }
}
