import { type LaneName, type Logger, laneNames, lanePolicies, type TaskMonitor } from '@dgc/shared';
import type { LanePublishers } from '../publish/lane-publishers.js';

export interface LaneBackpressureOptions {
  /**
   * Each lane's queues (several for an ordered lane's partitions), the events this process has not yet
   * confirmed in Redis, and the events per job it writes lately: queues count jobs, and a job may carry a
   * batch, so a lane's depth in events is its waiting jobs times that.
   */
  lanes: Pick<LanePublishers, 'queuesOf' | 'pendingCount' | 'eventsPerJob'>;
  /** A sheddable lane holding more waiting events than this sheds new ones. */
  highWaterMark: number;
  /**
   * Hard bound on events a non-sheddable lane may buffer in this process (they pile up only while Redis
   * is unreachable). Past it the `events` lane drops new events, counted and logged as errors: losing the
   * newest events beats an out-of-memory crash that loses the whole buffer. Interactions are never
   * dropped: they are few, and worthless after Discord's 3 s window anyway.
   */
  maxBufferedEvents: number;
  /** How often lane depths are read from Redis (`schedule`). */
  pollEveryMs: number;
  logger: Logger;
}

/**
 * Decides, per event and without a Redis call, whether a lane is backed up. Lane depths are refreshed by
 * a periodic task calling `poll` (one call per queue per interval); what this process still buffers
 * counts too, so a Redis outage sheds low-value events instead of growing memory. Only sheddable lanes
 * shed under load; the `events` lane drops only past the hard memory bound; interactions never.
 */
export class LaneBackpressure {
  readonly #options: LaneBackpressureOptions;
  readonly #depths = new Map<LaneName, number>();
  readonly #shedByEvent = new Map<string, number>();
  readonly #shedSinceLog = new Map<string, number>();
  readonly #overflowByEvent = new Map<string, number>();
  readonly #overflowSinceLog = new Map<string, number>();

  constructor(options: LaneBackpressureOptions) {
    this.#options = options;
  }

  /** Polls lane depths from now on, and logs what was shed every 10 s. */
  schedule(tasks: TaskMonitor): void {
    const { pollEveryMs, logger } = this.#options;
    tasks.every(
      'lane-depth-poll',
      pollEveryMs,
      () =>
        this.poll().catch((error: unknown) => {
          logger.warn({ err: error }, 'reading lane depths failed; keeping the last known ones');
        }),
      { runNow: true },
    );
    tasks.every('shed-report', 10_000, () => this.reportShed());
  }

  /** Refreshes every sheddable lane's waiting count, in events. */
  async poll(): Promise<void> {
    const { lanes } = this.#options;
    await Promise.all(
      laneNames.map(async (lane) => {
        if (!lanePolicies[lane].sheddable) return;
        const counts = await Promise.all(
          lanes.queuesOf(lane).map((queue) => queue.getJobCounts('waiting', 'prioritized')),
        );
        const jobs = counts.reduce((sum, count) => sum + (count.waiting ?? 0) + (count.prioritized ?? 0), 0);
        this.#depths.set(lane, Math.round(jobs * lanes.eventsPerJob(lane)));
      }),
    );
  }

  /** True when the event must be dropped; counts it by event type. */
  shouldShed(lane: LaneName, event: string): boolean {
    if (!lanePolicies[lane].sheddable) {
      if (lane === 'interactions' || this.#options.lanes.pendingCount(lane) < this.#options.maxBufferedEvents)
        return false;
      increment(this.#overflowByEvent, event);
      increment(this.#overflowSinceLog, event);
      return true;
    }
    const depth = (this.#depths.get(lane) ?? 0) + this.#options.lanes.pendingCount(lane);
    if (depth < this.#options.highWaterMark) return false;
    increment(this.#shedByEvent, event);
    increment(this.#shedSinceLog, event);
    return true;
  }

  /** Events waiting in a lane at the last poll. */
  depthOf(lane: LaneName): number {
    return this.#depths.get(lane) ?? 0;
  }

  /** Events shed since start, by event type (for metrics). */
  shedCounts(): Record<string, number> {
    return Object.fromEntries(this.#shedByEvent);
  }

  /** Non-sheddable events dropped at the memory bound since start, by event type (for metrics). */
  overflowCounts(): Record<string, number> {
    return Object.fromEntries(this.#overflowByEvent);
  }

  /** Logs what was shed since the last report (called periodically, so logging stays bounded). */
  reportShed(): void {
    if (this.#overflowSinceLog.size > 0) {
      this.#options.logger.error(
        {
          dropped: Object.fromEntries(this.#overflowSinceLog),
          maxBufferedEvents: this.#options.maxBufferedEvents,
        },
        'dropped events: Redis has been unreachable and the in-memory buffer is full',
      );
      this.#overflowSinceLog.clear();
    }
    if (this.#shedSinceLog.size === 0) return;
    this.#options.logger.warn(
      { shed: Object.fromEntries(this.#shedSinceLog), highWaterMark: this.#options.highWaterMark },
      'shed low-value events: their lane is backed up',
    );
    this.#shedSinceLog.clear();
  }
}

function increment(counts: Map<string, number>, event: string): void {
  counts.set(event, (counts.get(event) ?? 0) + 1);
}
