import { type LaneName, type Logger, lanePolicies } from '@dgc/shared';
import type { Queue } from 'bullmq';

export interface LaneBackpressureOptions {
  /** The queues each lane is made of (several for an ordered lane's partitions). */
  queues: ReadonlyMap<LaneName, readonly Queue[]>;
  /** Events buffered in this process but not yet in Redis, per lane. */
  buffered: (lane: LaneName) => number;
  /** A sheddable lane holding more waiting events than this sheds new ones. */
  highWaterMark: number;
  pollIntervalMs: number;
  logger: Logger;
  /** Shed counts are logged at most this often. */
  logIntervalMs?: number;
}

/**
 * Decides, per event and without a Redis call, whether a lane is backed up. Lane depths are polled on a
 * timer (one call per lane per interval); what this process still buffers counts too, so a Redis outage
 * sheds low-value events instead of growing memory without bound. Only sheddable lanes ever shed:
 * interactions and ordinary events are never dropped here.
 */
export class LaneBackpressure {
  readonly #options: LaneBackpressureOptions;
  readonly #depths = new Map<LaneName, number>();
  readonly #shedByEvent = new Map<string, number>();
  readonly #shedSinceLog = new Map<string, number>();
  #pollTimer: NodeJS.Timeout | undefined;
  #logTimer: NodeJS.Timeout | undefined;

  constructor(options: LaneBackpressureOptions) {
    this.#options = options;
  }

  start(): this {
    const poll = () => {
      this.poll().catch((error: unknown) =>
        this.#options.logger.warn({ err: error }, 'reading lane depths failed; keeping the last known ones'),
      );
    };
    poll();
    this.#pollTimer = setInterval(poll, this.#options.pollIntervalMs);
    this.#logTimer = setInterval(() => this.#logShed(), this.#options.logIntervalMs ?? 10_000);
    return this;
  }

  stop(): void {
    clearInterval(this.#pollTimer);
    clearInterval(this.#logTimer);
    this.#logShed();
  }

  /** Refreshes every sheddable lane's waiting count. */
  async poll(): Promise<void> {
    await Promise.all(
      [...this.#options.queues].map(async ([lane, queues]) => {
        if (!lanePolicies[lane].sheddable) return;
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'prioritized')));
        this.#depths.set(
          lane,
          counts.reduce((sum, count) => sum + (count.waiting ?? 0) + (count.prioritized ?? 0), 0),
        );
      }),
    );
  }

  /** True when the event must be dropped; counts it by event type. */
  shouldShed(lane: LaneName, event: string): boolean {
    if (!lanePolicies[lane].sheddable) return false;
    const depth = (this.#depths.get(lane) ?? 0) + this.#options.buffered(lane);
    if (depth < this.#options.highWaterMark) return false;
    this.#shedByEvent.set(event, (this.#shedByEvent.get(event) ?? 0) + 1);
    this.#shedSinceLog.set(event, (this.#shedSinceLog.get(event) ?? 0) + 1);
    return true;
  }

  /** Events shed since start, by event type (for metrics). */
  shedCounts(): Record<string, number> {
    return Object.fromEntries(this.#shedByEvent);
  }

  #logShed(): void {
    if (this.#shedSinceLog.size === 0) return;
    this.#options.logger.warn(
      { shed: Object.fromEntries(this.#shedSinceLog), highWaterMark: this.#options.highWaterMark },
      'shed low-value events: their lane is backed up',
    );
    this.#shedSinceLog.clear();
  }
}
