import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIChatInputApplicationCommandInteraction,
  GatewayMessageCreateDispatchData,
} from 'discord-api-types/v10';
import type { Logger } from 'pino';
import { handleControlRequest } from './control-api.js';
import { DispatchLedger, dispatchKey } from './dispatch-ledger.js';
import { guildMembersIntent, messageContentIntent } from './gateway/close-codes.js';
import { type GatewayEvent, GatewayServer } from './gateway/gateway-server.js';
import type { SessionSnapshot } from './gateway/gateway-session.js';
import { IdentifyLimiter } from './gateway/identify-limiter.js';
import { type TrafficEventType, TrafficGenerator, type TrafficOptions } from './load/traffic-generator.js';
import {
  chatInputInteractionPayload,
  guildMemberAddPayload,
  guildMemberRemovePayload,
  type InteractionInput,
  type MessageInput,
  messageCreatePayload,
  typingStartPayload,
} from './model/payloads.js';
import { SeededRandom } from './model/seeded-random.js';
import { SnowflakeGenerator } from './model/snowflake.js';
import { type StateMutationMix, StateMutations } from './model/state-mutations.js';
import { buildWorld, type SimulatedGuild, type SimulatedWorld } from './model/world.js';
import type { BucketPolicyName } from './rest/bucket-policies.js';
import type { RestCallRecord } from './rest/rest-call-record.js';
import type { RestFault } from './rest/rest-faults.js';
import { RestServer } from './rest/rest-server.js';
import { RestState } from './rest/rest-state.js';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  /** The only bot token accepted: REST answers 401 and the gateway closes with 4004 otherwise. */
  token: string;
  applicationId?: string;
  /** Recommended shard count returned by GET /gateway/bot. */
  shardCount?: number;
  guildCount?: number;
  maxConcurrency?: number;
  sessionStartLimit?: { total?: number; remaining?: number; resetAfterMs?: number };
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled for the simulated application. */
  privilegedIntents?: number;
  identifyWindowMs?: number;
  resumeWindowMs?: number;
  globalRateLimitPerSecond?: number;
  interactionResponseWindowMs?: number;
  /** Invalid requests (401/403/429) per 10 minutes before the simulated Cloudflare ban. */
  invalidRequestLimit?: number;
  /** Close code for a connection that stopped heartbeating. */
  missedHeartbeatCloseCode?: number;
  seed?: number;
  /** Per-route limits replacing the defaults, e.g. `{ bans: { limit: 50, windowMs: 1000 } }`. */
  routeLimits?: Partial<Record<BucketPolicyName, { limit: number; windowMs: number }>>;
  /** Dispatch records kept for `ledger` (older ones are dropped past this); 0 turns the ledger off. */
  dispatchLedgerCapacity?: number;
  /**
   * REST calls kept for `restCalls` and the control API: past this the oldest half is dropped, and
   * `waitForInteractionResponse` finds the callbacks of this many recent interactions. A simulator left
   * running under load otherwise grows until it runs out of memory.
   */
  restCallsKept?: number;
  logger?: Logger;
}

export interface SimulatorStats {
  identifies: number;
  identifyConcurrencyViolations: number;
  identifiesRefusedForBudget: number;
  resumes: number;
  dispatches: number;
  /** Bugs caught in the simulator itself; tests assert it stays 0. */
  internalErrors: number;
  restCalls: number;
  rateLimited: { user: number; global: number; shared: number };
  invalidRequests: number;
  /** Delay of each connection's first heartbeat after HELLO, as a fraction of the interval (last 1,000). */
  firstHeartbeatFractions: number[];
  sessionStartRemaining: number;
}

interface SimulatorEvents {
  identify: [{ shard: [number, number]; sessionId: string }];
  ready: [{ shard: [number, number]; sessionId: string }];
  resumed: [{ shard: [number, number]; sessionId: string; replayed: number }];
  closed: [{ shard?: [number, number]; sessionId?: string; code: number; byClient: boolean }];
  restCall: [RestCallRecord];
  interactionResponse: [RestCallRecord];
}

/**
 * A local Discord: Gateway v10 and the REST API on one port, with Discord's sharding, identify, resume and
 * rate-limit rules. Tests drive it as a library; `npm start` and benchmarks run it as a process.
 */
export class DiscordSimulator extends EventEmitter<SimulatorEvents> {
  readonly port: number;
  readonly restUrl: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly guilds: readonly SimulatedGuild[];
  /** Every dispatch sent, per session and sequence. */
  readonly ledger: DispatchLedger;
  readonly #server: Server;
  readonly #gateway: GatewayServer;
  readonly #rest: RestServer;
  readonly #restState: RestState;
  readonly #world: SimulatedWorld;
  readonly #ids = new SnowflakeGenerator(7);
  readonly #random: SeededRandom;
  readonly #options: SimulatorOptions;
  readonly #identifyLimiter: IdentifyLimiter;
  #restCalls: RestCallRecord[] = [];
  #restCallsReceived = 0;
  readonly #restCallsKept: number;
  /**
   * The first callback of each interaction, and who waits for one: indexed because a benchmark waits for
   * thousands of callbacks, and scanning every REST call for each cost the loop that times them.
   */
  readonly #interactionCallbacks = new Map<string, RestCallRecord>();
  readonly #callbackWaiters = new Map<string, Set<(record: RestCallRecord) => void>>();
  readonly #firstHeartbeatFractions: number[] = [];
  readonly #stats = {
    identifies: 0,
    identifyConcurrencyViolations: 0,
    identifiesRefusedForBudget: 0,
    resumes: 0,
    dispatches: 0,
    internalErrors: 0,
    rateLimited: { user: 0, global: 0, shared: 0 },
  };
  #token: string | undefined;
  #stateMutations: StateMutations | undefined;

  private constructor(options: SimulatorOptions, server: Server, port: number) {
    super();
    // Tests await many interaction responses at once; each is a listener.
    this.setMaxListeners(0);
    this.#options = options;
    this.#restCallsKept = Math.max(1, options.restCallsKept ?? 100_000);
    this.#server = server;
    this.port = port;
    this.#token = options.token;
    const host = options.host ?? '127.0.0.1';
    this.restUrl = `http://${host}:${port}/api`;
    this.gatewayUrl = `ws://${host}:${port}/gateway`;
    const seed = options.seed ?? 1;
    this.#random = new SeededRandom(seed ^ 0x5eed);
    this.#world = buildWorld({
      guildCount: options.guildCount ?? 10,
      seed,
      ...(options.applicationId ? { applicationId: options.applicationId } : {}),
    });
    this.applicationId = this.#world.application.id;
    const ledgerCapacity = options.dispatchLedgerCapacity ?? 2_000_000;
    this.ledger = new DispatchLedger(Math.max(ledgerCapacity, 1), ledgerCapacity > 0);
    this.guilds = this.#world.guilds;
    const limit = options.sessionStartLimit ?? {};
    this.#identifyLimiter = new IdentifyLimiter({
      maxConcurrency: options.maxConcurrency ?? 1,
      windowMs: options.identifyWindowMs ?? 5_000,
      total: limit.total ?? 1_000,
      remaining: limit.remaining ?? limit.total ?? 1_000,
      resetAfterMs: limit.resetAfterMs ?? 86_400_000,
    });
    this.#gateway = new GatewayServer({
      world: this.#world,
      token: () => this.#token,
      revokeToken: () => {
        this.#token = undefined;
      },
      baseUrl: () => `ws://${host}:${port}`,
      identifyLimiter: this.#identifyLimiter,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: options.privilegedIntents ?? guildMembersIntent | messageContentIntent,
      resumeWindowMs: options.resumeWindowMs ?? 120_000,
      missedHeartbeatCloseCode: options.missedHeartbeatCloseCode ?? 4000,
      replayBufferSize: 50_000,
      onEvent: (event) => this.#onGatewayEvent(event),
    });
    this.#restState = new RestState({
      world: this.#world,
      ids: this.#ids,
      dispatch: (event, data, guildId) => this.#dispatch(event, data, guildId),
      ...(options.routeLimits ? { policyOverrides: options.routeLimits } : {}),
    });
    this.#rest = new RestServer({
      state: this.#restState,
      token: () => this.#token,
      gatewayUrl: () => this.gatewayUrl,
      gatewayBot: () => ({
        url: this.gatewayUrl,
        shards: options.shardCount ?? 1,
        session_start_limit: {
          total: this.#identifyLimiter.total,
          remaining: this.#identifyLimiter.remaining,
          reset_after: this.#identifyLimiter.resetAfterMs(),
          max_concurrency: this.#identifyLimiter.maxConcurrency,
        },
      }),
      globalRateLimitPerSecond: options.globalRateLimitPerSecond ?? 50,
      interactionResponseWindowMs: options.interactionResponseWindowMs ?? 3_000,
      invalidRequestLimit: options.invalidRequestLimit ?? 10_000,
      onCall: (record) => this.#onRestCall(record),
    });
    server.on('request', (request, response) => {
      if ((request.url ?? '').startsWith('/_simulator/')) {
        handleControlRequest(this, request, response);
        return;
      }
      this.#rest.handle(request, response).catch((error: unknown) => {
        options.logger?.error({ err: error }, 'simulator REST handler failed');
        if (!response.headersSent)
          response.writeHead(500).end('{"code":0,"message":"500: Internal Server Error"}');
      });
    });
    server.on('upgrade', (request, socket, head) => {
      if (!this.#gateway.handleUpgrade(request, socket, head)) socket.destroy();
    });
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: SimulatorOptions): Promise<DiscordSimulator> {
    const server = createServer({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new DiscordSimulator(options, server, port);
  }

  guildsForShard(shardId: number, shardCount: number): SimulatedGuild[] {
    return this.#gateway.guildsForShard(shardId, shardCount);
  }

  /** The REST requests received, in order: all of them, or the newest when more than `restCallsKept`. */
  get restCalls(): readonly RestCallRecord[] {
    return this.#restCalls;
  }

  sessions(): SessionSnapshot[] {
    return this.#gateway.sessions();
  }

  stats(): SimulatorStats {
    return {
      ...this.#stats,
      rateLimited: { ...this.#stats.rateLimited },
      restCalls: this.#restCallsReceived,
      invalidRequests: this.#rest.invalidRequests.total,
      firstHeartbeatFractions: [...this.#firstHeartbeatFractions],
      sessionStartRemaining: this.#identifyLimiter.remaining,
    };
  }

  injectMessageCreate(input: MessageInput = {}): GatewayMessageCreateDispatchData {
    const [message] = this.injectMessageCreates(1, input);
    if (!message) throw new Error('no message created');
    return message;
  }

  /** Sends `count` MESSAGE_CREATE events (random guilds and authors unless given). */
  injectMessageCreates(count: number, input: MessageInput = {}): GatewayMessageCreateDispatchData[] {
    const messages: GatewayMessageCreateDispatchData[] = [];
    for (let index = 0; index < count; index += 1) {
      const message = messageCreatePayload({
        world: this.#world,
        ids: this.#ids,
        random: this.#random,
        message: input,
      });
      const json = JSON.stringify(message);
      this.#restState.rememberGeneratedMessage(message.id, json);
      this.#dispatch('MESSAGE_CREATE', message, message.guild_id, json);
      messages.push(message);
    }
    return messages;
  }

  /** Sends an INTERACTION_CREATE for a slash command; its token accepts one callback within the window. */
  injectInteraction(input: InteractionInput): APIChatInputApplicationCommandInteraction {
    const token = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    const interaction = chatInputInteractionPayload({
      world: this.#world,
      ids: this.#ids,
      random: this.#random,
      interaction: input,
      token,
    });
    this.#restState.registerInteraction({
      id: interaction.id,
      token,
      deliveredAt: Date.now(),
      acknowledged: false,
      channelId: interaction.channel.id,
      guildId: interaction.guild_id ?? '',
      messageIds: [],
    });
    this.#dispatch('INTERACTION_CREATE', interaction, interaction.guild_id);
    return interaction;
  }

  /** Resolves with the first callback received for the interaction; rejects after `timeoutMs`. */
  waitForInteractionResponse(interactionId: string, timeoutMs = 10_000): Promise<RestCallRecord> {
    const earlier = this.#interactionCallbacks.get(interactionId);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const waiters = this.#callbackWaiters.get(interactionId) ?? new Set();
      this.#callbackWaiters.set(interactionId, waiters);
      const onCallback = (record: RestCallRecord) => {
        clearTimeout(timer);
        resolve(record);
      };
      const timer = setTimeout(() => {
        waiters.delete(onCallback);
        if (waiters.size === 0) this.#callbackWaiters.delete(interactionId);
        reject(new Error(`no callback for interaction ${interactionId} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(onCallback);
    });
  }

  requestReconnect(shardId?: number): void {
    this.#gateway.requestReconnect(shardId);
  }

  requestHeartbeat(shardId?: number): void {
    this.#gateway.requestHeartbeat(shardId);
  }

  /** Closes a shard's connection; without a code the TCP connection just drops. The session stays resumable. */
  dropConnection(shardId: number, options: { code?: number } = {}): void {
    this.#gateway.dropConnection(shardId, options.code);
  }

  invalidateSession(shardId: number, resumable: boolean): void {
    this.#gateway.invalidateSession(shardId, resumable);
  }

  withholdHeartbeatAcks(shardId: number | undefined, withhold: boolean): void {
    this.#gateway.withholdHeartbeatAcks(shardId, withhold);
  }

  /**
   * A zombie feed on the shard's current connection: heartbeats are still acknowledged but no dispatch
   * arrives (they are kept for a resume). A new connection is healthy again.
   */
  silenceDispatches(shardId: number): void {
    this.#gateway.silenceDispatches(shardId);
  }

  async stop(): Promise<void> {
    await this.#gateway.stop();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #dispatch(event: string, data: unknown, guildId: string | undefined, dataJson?: string): void {
    const sessions = this.#gateway.dispatch(event, data, guildId, dataJson);
    this.#stats.dispatches += sessions.length;
    if (!this.ledger.enabled || sessions.length === 0) return;
    const key = dispatchKey(event, data);
    const sentAt = Date.now();
    for (const session of sessions) {
      this.ledger.record({
        shardId: session.shard[0],
        sessionId: session.sessionId,
        sequence: session.sequence,
        event,
        key,
        sentAt,
      });
    }
  }

  /**
   * Sends any dispatch as-is: routed by its `guild_id` (none → shard 0 only) and gated by intents, like every
   * other event. For events the simulator does not model itself.
   */
  injectDispatch(event: string, data: Record<string, unknown>): void {
    this.#dispatch(event, data, typeof data.guild_id === 'string' ? data.guild_id : undefined);
  }

  /** GUILD_MEMBER_ADD for a new user joining (a random guild unless given). Returns the payload. */
  injectGuildMemberAdd(guildId?: string) {
    const guild = this.#guildOrRandom(guildId);
    const user = {
      id: this.#ids.next(),
      username: `newcomer${this.#world.users.size}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
    };
    this.#world.users.set(user.id, user);
    const payload = guildMemberAddPayload(guild, user);
    const { guild_id: _guildId, ...member } = payload;
    guild.members.push(member as (typeof guild.members)[number]);
    guild.memberCount += 1;
    this.#dispatch('GUILD_MEMBER_ADD', payload, guild.id);
    return payload;
  }

  /** GUILD_MEMBER_REMOVE for a random non-bot member leaving. Returns the payload, or undefined if none left. */
  injectGuildMemberRemove(guildId?: string) {
    const guild = this.#guildOrRandom(guildId);
    const candidates = guild.members.filter((member) => !member.user.bot);
    if (candidates.length === 0) return undefined;
    const leaving = this.#random.pick(candidates);
    guild.members.splice(guild.members.indexOf(leaving), 1);
    guild.memberCount -= 1;
    const payload = guildMemberRemovePayload(guild, leaving.user);
    this.#dispatch('GUILD_MEMBER_REMOVE', payload, guild.id);
    return payload;
  }

  injectTypingStart(guildId?: string) {
    const guild = this.#guildOrRandom(guildId);
    const channel = guild.channels.find((candidate) => candidate.type === 0);
    const member = this.#random.pick(guild.members);
    const payload = typingStartPayload(guild, channel?.id ?? '', member);
    this.#dispatch('TYPING_START', payload, guild.id);
    return payload;
  }

  /**
   * Makes `count` random changes to guilds, channels, roles and members (in random guilds, or `guildIds`),
   * each dispatched as Discord would; the world (`guilds`) is then the state a cache should hold.
   */
  mutateState(count: number, options: { mix?: StateMutationMix; guildIds?: readonly string[] } = {}) {
    this.#stateMutations ??= new StateMutations({
      world: this.#world,
      ids: this.#ids,
      random: this.#random,
      dispatch: (event, data, guildId) => this.#dispatch(event, data, guildId),
    });
    return this.#stateMutations.apply(count, options);
  }

  /** Starts steady generated traffic; stop it with the returned generator's `stop()`. */
  startTraffic(options: TrafficOptions): TrafficGenerator {
    return new TrafficGenerator(this.#world.guilds, this.#random, options, (event, guild) =>
      this.#emitTraffic(event, guild),
    ).start();
  }

  /** Makes matching REST requests fail or slow down (429 storms, 5xx, latency) until cleared. */
  injectRestFault(fault: RestFault): void {
    this.#rest.faults.add(fault);
  }

  clearRestFaults(): void {
    this.#rest.faults.clear();
  }

  #emitTraffic(event: TrafficEventType, guild: SimulatedGuild): void {
    switch (event) {
      case 'MESSAGE_CREATE':
        this.injectMessageCreate({ guildId: guild.id });
        break;
      case 'TYPING_START':
        this.injectTypingStart(guild.id);
        break;
      case 'GUILD_MEMBER_ADD':
        this.injectGuildMemberAdd(guild.id);
        break;
      case 'GUILD_MEMBER_REMOVE':
        this.injectGuildMemberRemove(guild.id);
        break;
      case 'INTERACTION_CREATE':
        this.injectInteraction({ commandName: 'ping', guildId: guild.id });
        break;
    }
  }

  #guildOrRandom(guildId: string | undefined): SimulatedGuild {
    const guild = guildId ? this.#world.guildsById.get(guildId) : this.#random.pick(this.#world.guilds);
    if (!guild) throw new RangeError(`unknown guild ${guildId}`);
    return guild;
  }

  #onGatewayEvent(event: GatewayEvent): void {
    const logger = this.#options.logger;
    switch (event.type) {
      case 'identify':
        this.#stats.identifies += 1;
        this.emit('identify', { shard: event.shard, sessionId: event.sessionId });
        break;
      case 'identifyRefused':
        if (event.reason === 'concurrency') this.#stats.identifyConcurrencyViolations += 1;
        else this.#stats.identifiesRefusedForBudget += 1;
        logger?.warn({ shard: event.shard, reason: event.reason }, 'identify refused');
        break;
      case 'ready':
        logger?.info({ shard: event.shard }, 'session READY');
        this.emit('ready', { shard: event.shard, sessionId: event.sessionId });
        break;
      case 'resumed':
        this.#stats.resumes += 1;
        logger?.info({ shard: event.shard, replayed: event.replayed }, 'session resumed');
        this.emit('resumed', { shard: event.shard, sessionId: event.sessionId, replayed: event.replayed });
        break;
      case 'firstHeartbeat':
        // Clients should wait interval × jitter (jitter in [0, 1)) before the first heartbeat; keep the last
        // few so tests can check a client spreads its first heartbeats instead of sending them at once.
        this.#firstHeartbeatFractions.push(event.fractionOfInterval);
        if (this.#firstHeartbeatFractions.length > 1_000) this.#firstHeartbeatFractions.shift();
        break;
      case 'internalError':
        this.#stats.internalErrors += 1;
        logger?.error({ err: event.error }, 'simulator gateway error');
        break;
      case 'closed':
        logger?.debug(
          { shard: event.shard, code: event.code, byClient: event.byClient },
          'gateway connection closed',
        );
        this.emit('closed', event);
        break;
    }
  }

  #onRestCall(record: RestCallRecord): void {
    this.#restCallsReceived += 1;
    this.#restCalls.push(record);
    if (this.#restCalls.length > this.#restCallsKept)
      this.#restCalls = this.#restCalls.slice(-Math.ceil(this.#restCallsKept / 2));
    if (record.rateLimitScope) this.#stats.rateLimited[record.rateLimitScope] += 1;
    this.emit('restCall', record);
    if (record.route.startsWith('/interactions/')) {
      this.#indexInteractionCallback(record);
      this.emit('interactionResponse', record);
    }
  }

  #indexInteractionCallback(record: RestCallRecord): void {
    const callback = /^\/interactions\/(\d+)\/:token\/callback$/.exec(record.route);
    const interactionId = callback?.[1];
    if (!interactionId || this.#interactionCallbacks.has(interactionId)) return;
    this.#interactionCallbacks.set(interactionId, record);
    if (this.#interactionCallbacks.size > this.#restCallsKept) {
      const [oldest] = this.#interactionCallbacks.keys();
      if (oldest !== undefined) this.#interactionCallbacks.delete(oldest);
    }
    const waiters = this.#callbackWaiters.get(interactionId);
    this.#callbackWaiters.delete(interactionId);
    for (const waiter of waiters ?? []) waiter(record);
  }
}
