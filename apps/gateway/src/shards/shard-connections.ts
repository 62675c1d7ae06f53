import type { Logger, Redis, TaskMonitor } from '@dgc/shared';
import { REST } from '@discordjs/rest';
import { type WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import type { APIGatewayBotInfo, GatewayReadyDispatchData, GatewaySendPayload } from 'discord-api-types/v10';
import type { CacheIntake } from '../cache/cache-intake-throttle.js';
import type { RedisSessionStore } from '../cluster/redis-session-store.js';
import type { ShardRunner } from '../cluster/shard-ownership.js';
import type { GatewayConfig } from '../config.js';
import type { DispatchRouter } from '../dispatch/dispatch-router.js';
import type { GatewayCounters } from '../gateway-counters.js';
import type { MalformedFrameReport } from './frame-guard.js';
import { createShardManager } from './shard-manager.js';
import { shardSocketOf } from './shard-socket.js';
import { ShardStates } from './shard-states.js';
import type { WatchdogReason, WatchedShard, WatchedShards } from './shard-watchdog.js';

export interface ShardConnectionsOptions {
  config: GatewayConfig;
  /** The shard set these connections belong to: its generation and shard count. */
  generation: number;
  shardCount: number;
  /** GET /gateway/bot, cached by the process (shared by every shard set). */
  gatewayInformation: (force?: boolean) => Promise<APIGatewayBotInfo>;
  /** Told of each READY and RESUMED (a shard set in a reshard tracks its guilds with them). */
  onReady?: (shardId: number, data: GatewayReadyDispatchData) => void;
  onResumed?: (shardId: number) => void;
  redis: Redis;
  sessions: RedisSessionStore;
  tasks: TaskMonitor;
  logger: Logger;
  /** Where every dispatch goes next, in the shard's sequence order. */
  router: Pick<DispatchRouter, 'route'>;
  /** Counts connection milestones, for metrics. */
  counters: Pick<GatewayCounters, 'connection'>;
  /** Told of frames that are not JSON or not UTF-8 (the frame guard drops them instead of crashing). */
  reportFrame?: MalformedFrameReport;
}

/**
 * One @discordjs/ws manager per owned shard, so shards can be started and handed over one at a time as
 * leases come and go. All of them share one cached GET /gateway/bot answer, the session store and the
 * cluster-wide identify throttler.
 */
export class ShardConnections implements ShardRunner, WatchedShards, CacheIntake {
  readonly #options: ShardConnectionsOptions;
  /** For the managers' own calls; the gateway makes no other REST call. */
  readonly #rest: REST;
  readonly #running = new Map<
    number,
    { manager: WebSocketManager; states: ShardStates; unwatch: () => void; stopped: AbortController }
  >();
  /** Per running shard, what its dispatches came to: one record, so a dispatch costs one lookup. */
  readonly #received = new Map<number, ReceivedDispatches>();
  readonly #starting = new Set<Promise<void>>();
  readonly #resuming = new Set<number>();
  #intakePaused = false;

  constructor(options: ShardConnectionsOptions) {
    this.#options = options;
    this.#rest = new REST({ api: options.config.DISCORD_API_URL, version: '10' }).setToken(
      options.config.DISCORD_TOKEN,
    );
  }

  get generation(): number {
    return this.#options.generation;
  }

  /** Resolves once every start begun so far has finished. */
  async started(): Promise<void> {
    await Promise.allSettled([...this.#starting]);
  }

  start(shardId: number): Promise<void> {
    const starting = this.#start(shardId);
    this.#starting.add(starting);
    starting.finally(() => this.#starting.delete(starting)).catch(() => {});
    return starting;
  }

  /**
   * Whether every shard this process runs is connected (the readiness check). A process running none (the
   * others hold every lease, as while a replacement starts in a rolling restart) is a ready standby: it
   * takes shards over as leases free, and a supervisor waiting for it must not wait for that.
   */
  allRunning(): boolean {
    for (const [shardId, { states }] of this.#running)
      if (states.of(shardId).state !== 'running') return false;
    return true;
  }

  /** Each running shard's connection state and when it last received an event, for tools. */
  snapshot(): (WatchedShard & { detail: string; latencyMs: number | undefined })[] {
    return [...this.#running].map(([shardId, { states }]) => {
      const { state, detail, since } = states.of(shardId);
      const received = this.#received.get(shardId);
      return {
        shardId,
        state,
        detail,
        latencyMs: states.latencyOf(shardId),
        stateSince: since,
        lastEventAt: received?.lastEventAt,
        events: received?.events ?? 0,
        awaitingIdentify: states.awaitingIdentify(shardId),
      };
    });
  }

  /** What a running shard's connection received, for the cut-over confirmation (`confirmsCutOver`). */
  receiveProgress(shardId: number): ReceiveProgress | undefined {
    const running = this.#running.get(shardId);
    const received = this.#received.get(shardId);
    if (!running || !received) return undefined;
    return {
      connected: running.states.of(shardId).state === 'running',
      lastSequence: received.lastSequence,
      ackedHeartbeatSentAt: received.ackedHeartbeatSentAt,
    };
  }

  /** Sends a payload on a running shard's connection. */
  async send(shardId: number, payload: GatewaySendPayload): Promise<void> {
    const running = this.#running.get(shardId);
    if (!running) throw new Error(`shard ${shardId} is not running in this process`);
    await running.manager.send(shardId, payload);
  }

  /** Stops reading every shard's socket (the state cache is behind): events wait in the OS and at Discord. */
  pauseIntake(): void {
    this.#intakePaused = true;
    for (const [shardId, { manager }] of this.#running) shardSocketOf(manager, shardId)?.pause();
  }

  resumeIntake(): void {
    this.#intakePaused = false;
    for (const [shardId, { manager }] of this.#running) shardSocketOf(manager, shardId)?.resume();
  }

  /** Whether the shards' reads are paused for the state cache (a shard connecting meanwhile reads on). */
  get intakePaused(): boolean {
    return this.#intakePaused;
  }

  /**
   * Stops a shard keeping its session for the next owner, or with `logout` (a retired shard set) ending
   * it at Discord and in Redis.
   */
  async stop(shardId: number, reason: string, logout = false): Promise<void> {
    const running = this.#running.get(shardId);
    if (!running) return;
    this.#running.delete(shardId);
    // Before the destroy: a shard waiting to reconnect ignores it, and must find itself stopped.
    running.stopped.abort();
    if (logout) {
      await running.manager.destroy({ reason, code: 1000 });
      running.unwatch();
      await this.#options.sessions.forget(shardId);
      return;
    }
    // Not a logout: any code but 1000/1001 keeps the session resumable at Discord.
    this.#options.sessions.handOff(shardId);
    await running.manager.destroy({ reason, code: 4200 });
    running.unwatch();
    await this.#options.sessions
      .release(shardId)
      .catch((error: unknown) =>
        this.#options.logger.warn(
          { err: error, shardId },
          'writing a handed-over session failed; the last flush stands',
        ),
      );
  }

  /** Reconnects a shard that looks stuck or silent; its session is kept, so it resumes. */
  async restart(shardId: number, reason: WatchdogReason): Promise<void> {
    await this.stop(shardId, `watchdog: ${reason}`);
    await this.start(shardId);
  }

  /**
   * Reconnects a shard whose Redis lost its last writes (restart, failover): its session is kept, and the
   * session store now answers with the sequence Redis holds, so Discord replays from there. Not started
   * again when `stillOwned` says another process took the shard meanwhile.
   */
  async resumeFromStoredSequence(shardId: number, stillOwned: () => boolean): Promise<void> {
    if (this.#resuming.has(shardId)) return;
    this.#resuming.add(shardId);
    try {
      await this.stop(shardId, 'Redis lost writes: resume from the sequence it holds');
      if (stillOwned()) await this.start(shardId);
    } finally {
      this.#resuming.delete(shardId);
    }
  }

  async #start(shardId: number): Promise<void> {
    const { config, redis, sessions, tasks, logger } = this.#options;
    const received: ReceivedDispatches = {
      events: 0,
      lastEventAt: undefined,
      lastSequence: 0,
      ackedHeartbeatSentAt: undefined,
    };
    this.#received.set(shardId, received);
    const stopped = new AbortController();
    const manager = createShardManager(config, this.#rest, logger, {
      redis,
      sessions,
      stopped: stopped.signal,
      shardIds: [shardId],
      generation: this.#options.generation,
      shardCount: this.#options.shardCount,
      gatewayInformation: () => this.#options.gatewayInformation(),
      reportFrame: this.#options.reportFrame,
      // Called only once the manager connects, after `states` below exists.
      onIdentifyWait: (id, waiting) => states.identifyWait(id, waiting),
    });
    // @discordjs/ws refuses to connect at all when no session starts are left, even a shard that would
    // RESUME (which spends none). The identify throttler guards the real identifies instead: with none left
    // it waits for Discord's reset, logs why and says so in Redis, rather than failing into a retry loop.
    manager.fetchGatewayInformation = async (force) => {
      const info = await this.#options.gatewayInformation(force);
      const limit = info.session_start_limit;
      return { ...info, session_start_limit: { ...limit, remaining: Math.max(limit.remaining, 1) } };
    };
    const states = new ShardStates(manager);
    const unwatch = tasks.watch(`shard:${this.#options.generation}:${shardId}`, () => states.of(shardId));
    const { router, counters, onReady, onResumed } = this.#options;
    manager.on(WebSocketShardEvents.Ready, (data, id) => {
      // A new session numbers its dispatches from 1 again (emitted before the READY dispatch itself).
      received.lastSequence = 0;
      received.ackedHeartbeatSentAt = undefined;
      counters.connection('ready');
      onReady?.(id, data);
    });
    manager.on(WebSocketShardEvents.Resumed, (id) => {
      counters.connection('resumed');
      if (!stopped.signal.aborted) sessions.resumed(id);
      onResumed?.(id);
    });
    manager.on(WebSocketShardEvents.Closed, () => counters.connection('closed'));
    // The acknowledgement comes on the same connection after every dispatch sent before the heartbeat
    // reached Discord: a quiet old shard proves with it that nothing from before a switch time is on its way.
    manager.on(WebSocketShardEvents.HeartbeatComplete, ({ heartbeatAt }) => {
      received.ackedHeartbeatSentAt = heartbeatAt;
    });
    manager.on(WebSocketShardEvents.Dispatch, (dispatch, id) => {
      // A dispatch a stopped manager was still decoding: the shard's next connection (here or in another
      // process) replays it. Routed, it could count towards a later lease of this process and move the
      // watermark past dispatches dropped while the lease was lost.
      if (stopped.signal.aborted) return;
      received.lastEventAt = Date.now();
      received.events += 1;
      received.lastSequence = dispatch.s;
      router.route(dispatch, id);
    });
    this.#running.set(shardId, { manager, states, unwatch, stopped });
    try {
      await manager.connect();
    } catch (error) {
      if (this.#running.get(shardId)?.manager === manager) this.#running.delete(shardId);
      stopped.abort();
      unwatch();
      await Promise.resolve(manager.destroy({ reason: 'start failed', code: 4200 })).catch(() => {});
      throw error;
    }
  }
}

/** A running shard's connection, as the cut-over confirmation needs it. */
export interface ReceiveProgress {
  /** READY or RESUMED (its replay received), and not closed since. */
  connected: boolean;
  /** The sequence of the last dispatch received in the shard's session. */
  lastSequence: number;
  /** When the last heartbeat Discord acknowledged was sent (this process's clock). */
  ackedHeartbeatSentAt: number | undefined;
}

interface ReceivedDispatches {
  events: number;
  lastEventAt: number | undefined;
  lastSequence: number;
  ackedHeartbeatSentAt: number | undefined;
}
