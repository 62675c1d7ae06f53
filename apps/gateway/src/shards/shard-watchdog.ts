import type { Logger, TaskMonitor } from '@dgc/shared';

export interface WatchedShard {
  shardId: number;
  state: string;
  /** When the shard entered its current state. */
  stateSince: number;
  lastEventAt: number | undefined;
  /** Events received since the shard's connection started. */
  events: number;
  /**
   * Waiting for its identify turn (the cluster-wide queue, or Discord's session-start reset): not stuck,
   * and a reconnect would only send it to the back of the queue. Its stuck clock starts once its turn came.
   */
  awaitingIdentify?: boolean;
}

/** The shards the watchdog looks after (the process's shard connections). */
export interface WatchedShards {
  snapshot(): WatchedShard[];
  /** Reconnects a shard, resuming its session. */
  restart(shardId: number, reason: WatchdogReason): Promise<void>;
}

export interface ShardWatchdogOptions {
  shards: WatchedShards;
  logger: Logger;
  /** Not READY (connecting, resuming, reconnecting) for this long: the connection is stuck. */
  stuckAfterMs?: number;
  /** No event for this long on a shard that was receiving them: a silent (zombie) feed. */
  silentAfterMs?: number;
  /** A shard counts as active once it has received this many events. */
  activeAfterEvents?: number;
}

export type WatchdogReason = 'stuck' | 'silent';

/**
 * Catches the failures @discordjs/ws does not: a connection that stays in connecting/resuming, and a feed
 * that goes silent while heartbeats are still acknowledged (missed heartbeat ACKs it already handles). The
 * shard is reconnected with its session, so Discord replays what the silent feed withheld; every restart
 * is logged with its reason and counted.
 */
export class ShardWatchdog {
  readonly #options: ShardWatchdogOptions;
  readonly #restarts = new Map<WatchdogReason, number>();
  readonly #restarting = new Set<number>();

  constructor(options: ShardWatchdogOptions) {
    this.#options = options;
  }

  get restarts(): Record<WatchdogReason, number> {
    return { stuck: this.#restarts.get('stuck') ?? 0, silent: this.#restarts.get('silent') ?? 0 };
  }

  /** Checks the shards every second from now on. */
  schedule(tasks: TaskMonitor): void {
    tasks.every('shard-watchdog', 1_000, () =>
      this.check().catch((error: unknown) => {
        this.#options.logger.error({ err: error }, 'shard watchdog failed to reconnect a shard');
      }),
    );
  }

  async check(now = Date.now()): Promise<void> {
    const stuckAfterMs = this.#options.stuckAfterMs ?? 60_000;
    const silentAfterMs = this.#options.silentAfterMs ?? 300_000;
    const activeAfterEvents = this.#options.activeAfterEvents ?? 100;
    const due: { shardId: number; reason: WatchdogReason; forMs: number }[] = [];
    for (const shard of this.#options.shards.snapshot()) {
      if (this.#restarting.has(shard.shardId)) continue;
      if (shard.awaitingIdentify) continue;
      if (shard.state !== 'running' && now - shard.stateSince > stuckAfterMs) {
        due.push({ shardId: shard.shardId, reason: 'stuck', forMs: now - shard.stateSince });
      } else if (
        shard.state === 'running' &&
        shard.events >= activeAfterEvents &&
        shard.lastEventAt !== undefined &&
        now - shard.lastEventAt > silentAfterMs
      ) {
        due.push({ shardId: shard.shardId, reason: 'silent', forMs: now - shard.lastEventAt });
      }
    }
    await Promise.all(
      due.map(async ({ shardId, reason, forMs }) => {
        this.#restarting.add(shardId);
        this.#restarts.set(reason, (this.#restarts.get(reason) ?? 0) + 1);
        this.#options.logger.warn({ shardId, reason, forMs }, 'shard watchdog: reconnecting the shard');
        try {
          await this.#options.shards.restart(shardId, reason);
        } finally {
          this.#restarting.delete(shardId);
        }
      }),
    );
  }
}
