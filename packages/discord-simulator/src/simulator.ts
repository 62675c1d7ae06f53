// Over 300 lines: the simulator’s public façade (world, gateway, REST, CDN and faults behind one object a test holds); each part lives in its own module.
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIApplicationCommand,
  APIAttachment,
  APIChatInputApplicationCommandInteraction,
  APIMessageComponentInteraction,
  GatewayMessageCreateDispatchData,
} from 'discord-api-types/v10';
import { BotToken } from './bot-token.js';
import { type AttachmentInput, CdnFiles, type CdnRequestRecord } from './cdn/cdn-files.js';
import { ControlApi } from './control-api.js';
import { DispatchLedger } from './dispatch-ledger.js';
import { Dispatcher } from './dispatcher.js';
import { EventInjector } from './event-injector.js';
import { FaultInjector } from './fault-injector.js';
import { guildMembersIntent, messageContentIntent } from './gateway/close-codes.js';
import { GatewayBotInfo } from './gateway/gateway-bot-info.js';
import { GatewayServer } from './gateway/gateway-server.js';
import type { SessionSnapshot } from './gateway/gateway-session.js';
import { IdentifyLimiter } from './gateway/identify-limiter.js';
import type { PresenceUpdateRecord } from './gateway/presence-updates.js';
import { GatewayActivity } from './gateway-activity.js';
import type { TrafficGenerator, TrafficOptions } from './load/traffic-generator.js';
import type { ComponentInteractionInput, InteractionInput } from './model/payloads/interaction-payloads.js';
import type { MessageInput } from './model/payloads/message-payloads.js';
import { SeededRandom } from './model/seeded-random.js';
import { SnowflakeGenerator } from './model/snowflake.js';
import type { StateMutationMix } from './model/state-mutation-mix.js';
import { StateMutations } from './model/state-mutations.js';
import { buildWorld, type SimulatedGuild } from './model/world.js';
import type { RestCallRecord } from './rest/rest-call-record.js';
import { RestServer } from './rest/rest-server.js';
import { RestState } from './rest/rest-state.js';
import { RestActivity } from './rest-activity.js';
import type { SimulatorEvents } from './simulator-events.js';
import type { SimulatorOptions } from './simulator-options.js';
import type { SimulatorStats } from './simulator-stats.js';

/**
 * A local Discord: Gateway v10 and the REST API on one port, with Discord's sharding, identify, resume and
 * rate-limit rules. Tests drive it as a library; `npm start` and benchmarks run it as a process.
 *
 * This class only wires the parts together and is the public face of them:
 * - events users cause (`inject*`, `startTraffic`): `EventInjector`, sent through the `Dispatcher`;
 * - the gateway (`sessions`, `guildsForShard`): `GatewayServer`, observed by `GatewayActivity`;
 * - REST (`restCalls`, `waitForInteractionResponse`): `RestServer`, recorded by `RestActivity`;
 * - disruptions on command: `faults`; counters: `stats()`; the HTTP control API: `ControlApi`.
 * It emits `SimulatorEvents` (identify, ready, resumed, closed, restCall, interactionResponse).
 */
export class DiscordSimulator extends EventEmitter<SimulatorEvents> {
  readonly port: number;
  readonly restUrl: string;
  readonly gatewayUrl: string;
  /** The CDN serving files attached to commands (`attachFile`): what DISCORD_CDN_URL points at in tests. */
  readonly cdnUrl: string;
  readonly applicationId: string;
  readonly guilds: readonly SimulatedGuild[];
  /** Every dispatch sent, per session and sequence. */
  readonly ledger: DispatchLedger;
  /** Gateway and REST disruptions on command (drops, op 7/9, zombie feeds, 429 storms, 5xx, latency). */
  readonly faults: FaultInjector;
  readonly #http: Server;
  readonly #gateway: GatewayServer;
  readonly #gatewayActivity: GatewayActivity;
  readonly #rest: RestServer;
  readonly #restState: RestState;
  readonly #restActivity: RestActivity;
  readonly #identifyLimiter: IdentifyLimiter;
  readonly #botInfo: GatewayBotInfo;
  readonly #dispatcher: Dispatcher;
  readonly #events: EventInjector;
  readonly #stateMutations: StateMutations;
  readonly #cdn: CdnFiles;

  private constructor(options: SimulatorOptions, http: Server, port: number) {
    super();
    // Tests await many interaction responses at once; each is a listener.
    this.setMaxListeners(0);
    this.#http = http;
    this.port = port;
    const host = options.host ?? '127.0.0.1';
    this.restUrl = `http://${host}:${port}/api`;
    this.gatewayUrl = `ws://${host}:${port}/gateway`;
    this.cdnUrl = `http://${host}:${port}/cdn`;
    const seed = options.seed ?? 1;
    const world = buildWorld({
      guildCount: options.guildCount ?? 10,
      seed,
      ...(options.applicationId ? { applicationId: options.applicationId } : {}),
    });
    this.applicationId = world.application.id;
    this.guilds = world.guilds;
    const ledgerCapacity = options.dispatchLedgerCapacity ?? 2_000_000;
    this.ledger = new DispatchLedger(Math.max(ledgerCapacity, 1), ledgerCapacity > 0);
    const token = new BotToken(options.token);
    const ids = new SnowflakeGenerator(7);
    const limit = options.sessionStartLimit ?? {};
    this.#identifyLimiter = new IdentifyLimiter({
      maxConcurrency: options.maxConcurrency ?? 1,
      windowMs: options.identifyWindowMs ?? 5_000,
      total: limit.total ?? 1_000,
      remaining: limit.remaining ?? limit.total ?? 1_000,
      resetAfterMs: limit.resetAfterMs ?? 86_400_000,
    });
    this.#gatewayActivity = new GatewayActivity(this, options.logger);
    this.#gateway = new GatewayServer({
      world,
      token,
      baseUrl: `ws://${host}:${port}`,
      identifyLimiter: this.#identifyLimiter,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: options.privilegedIntents ?? guildMembersIntent | messageContentIntent,
      resumeWindowMs: options.resumeWindowMs ?? 120_000,
      missedHeartbeatCloseCode: options.missedHeartbeatCloseCode ?? 4000,
      replayBufferSize: 50_000,
      observer: this.#gatewayActivity,
    });
    this.#dispatcher = new Dispatcher(this.#gateway.router, this.ledger);
    const restState = new RestState({
      world,
      ids,
      dispatcher: this.#dispatcher,
      ...(options.routeLimits ? { policyOverrides: options.routeLimits } : {}),
    });
    this.#restState = restState;
    this.#restActivity = new RestActivity(this, Math.max(1, options.restCallsKept ?? 100_000));
    this.#botInfo = new GatewayBotInfo(this.gatewayUrl, options.shardCount ?? 1, this.#identifyLimiter);
    this.#rest = new RestServer({
      state: restState,
      token,
      gateway: this.#botInfo,
      globalRateLimitPerSecond: options.globalRateLimitPerSecond ?? 50,
      interactionResponseWindowMs: options.interactionResponseWindowMs ?? 3_000,
      invalidRequestLimit: options.invalidRequestLimit ?? 10_000,
      observer: this.#restActivity,
    });
    this.#cdn = new CdnFiles({ baseUrl: this.cdnUrl, applicationId: world.application.id, ids });
    this.#events = new EventInjector({
      world,
      ids,
      random: new SeededRandom(seed ^ 0x5eed),
      restState,
      dispatcher: this.#dispatcher,
      cdn: this.#cdn,
    });
    this.#stateMutations = new StateMutations({
      world,
      ids,
      random: new SeededRandom(seed ^ 0x57a7e),
      dispatch: (event, data, guildId) => this.#dispatcher.dispatch(event, data, guildId),
    });
    this.faults = new FaultInjector(this.#gateway.faults, this.#rest.faults);
    this.#listen(new ControlApi(this), options);
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: SimulatorOptions): Promise<DiscordSimulator> {
    const http = createServer({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = http.address() as AddressInfo;
    return new DiscordSimulator(options, http, port);
  }

  /** One port: `/_simulator/*` is the control API, `/cdn/*` the CDN, WebSocket upgrades the gateway, the rest REST. */
  #listen(control: ControlApi, options: SimulatorOptions): void {
    this.#http.on('request', (request, response) => {
      const url = request.url ?? '';
      if (url.startsWith('/_simulator/')) {
        control.handle(request, response);
        return;
      }
      if (url.startsWith('/cdn/')) {
        this.#cdn.handle(new URL(url, 'http://simulator').pathname.slice('/cdn'.length), request, response);
        return;
      }
      this.#rest.handle(request, response).catch((error: unknown) => {
        options.logger?.error({ err: error }, 'simulator REST handler failed');
        if (!response.headersSent)
          response.writeHead(500).end('{"code":0,"message":"500: Internal Server Error"}');
      });
    });
    this.#http.on('upgrade', (request, socket, head) => {
      if (!this.#gateway.handleUpgrade(request, socket, head)) socket.destroy();
    });
  }

  async stop(): Promise<void> {
    await this.#gateway.stop();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  /** The guilds a shard receives: `(guild_id >> 22) % shardCount === shardId`. */
  guildsForShard(shardId: number, shardCount: number): SimulatedGuild[] {
    return this.#gateway.guildsForShard(shardId, shardCount);
  }

  /** The live and resumable gateway sessions. */
  /** What GET /gateway/bot recommends (`shards`); settable, as Discord raises it when a bot grows. */
  get recommendedShardCount(): number {
    return this.#botInfo.recommendedShardCount;
  }

  set recommendedShardCount(count: number) {
    this.#botInfo.recommendedShardCount = count;
  }

  sessions(): SessionSnapshot[] {
    return this.#gateway.sessions();
  }

  /** The presence updates (op 3) received, oldest first: each with the shard that sent it and whether Discord would apply it. */
  presenceUpdates(shardId?: number): PresenceUpdateRecord[] {
    const records = this.#gateway.presenceUpdates();
    return shardId === undefined ? [...records] : records.filter((record) => record.shard[0] === shardId);
  }

  /** The REST requests received, in order: all of them, or the newest when more than `restCallsKept`. */
  get restCalls(): readonly RestCallRecord[] {
    return this.#restActivity.log.calls;
  }

  /** Every REST route served (method and path pattern), so conformance checks cover routes added later. */
  get restRoutes(): readonly { method: string; pattern: RegExp }[] {
    return this.#rest.routes;
  }

  /** The slash commands registered (global, or a guild's), and how many bulk overwrites were applied. */
  registeredCommands(guildId?: string): { commands: APIApplicationCommand[]; overwrites: number } {
    return {
      commands: this.#restState.commands.list(guildId),
      overwrites: this.#restState.commands.overwrites,
    };
  }

  /** Resolves with the first callback received for the interaction; rejects after `timeoutMs`. */
  waitForInteractionResponse(interactionId: string, timeoutMs = 10_000): Promise<RestCallRecord> {
    return this.#restActivity.callbacks.waitFor(interactionId, timeoutMs);
  }

  stats(): SimulatorStats {
    return {
      ...this.#gatewayActivity.counts(),
      ...this.#restActivity.counts(),
      dispatches: this.#dispatcher.dispatches,
      invalidRequests: this.#rest.invalidRequests.total,
      sessionStartRemaining: this.#identifyLimiter.remaining,
    };
  }

  /** Sends a MESSAGE_CREATE (a random guild, channel and author unless given). */
  injectMessageCreate(input: MessageInput = {}): GatewayMessageCreateDispatchData {
    return this.#events.messageCreate(input);
  }

  /** Sends `count` MESSAGE_CREATE events (random guilds and authors unless given). */
  injectMessageCreates(count: number, input: MessageInput = {}): GatewayMessageCreateDispatchData[] {
    return this.#events.messageCreates(count, input);
  }

  /**
   * Stores a file as a user's upload with a slash command and returns its attachment: pass its `id` as an
   * attachment option's value (`ApplicationCommandOptionType.Attachment`) and the interaction resolves it,
   * with a `url` this simulator's CDN (`cdnUrl`) serves.
   */
  attachFile(input: AttachmentInput): APIAttachment {
    return this.#cdn.upload(input);
  }

  /** The downloads the CDN was asked for, in order. */
  get cdnRequests(): readonly CdnRequestRecord[] {
    return this.#cdn.requests;
  }

  /** Sends an INTERACTION_CREATE for a slash command; its token accepts one callback within the window. */
  injectInteraction(input: InteractionInput): APIChatInputApplicationCommandInteraction {
    return this.#events.interaction(input);
  }

  /** Sends an INTERACTION_CREATE for a click on a button of the bot's message. */
  injectComponentInteraction(input: ComponentInteractionInput): APIMessageComponentInteraction {
    return this.#events.componentInteraction(input);
  }

  /**
   * Sends any dispatch as-is: routed by its `guild_id` (none → shard 0 only) and gated by intents, like every
   * other event. For events the simulator does not model itself.
   */
  injectDispatch(event: string, data: Record<string, unknown>): void {
    this.#events.dispatch(event, data);
  }

  /** GUILD_MEMBER_ADD for a new user joining (a random guild unless given). Returns the payload. */
  injectGuildMemberAdd(guildId?: string) {
    return this.#events.guildMemberAdd(guildId);
  }

  /** GUILD_MEMBER_REMOVE for a random non-bot member leaving. Returns the payload, or undefined if none left. */
  injectGuildMemberRemove(guildId?: string) {
    return this.#events.guildMemberRemove(guildId);
  }

  /** TYPING_START by a random member in the guild's first text channel. Returns the payload. */
  injectTypingStart(guildId?: string) {
    return this.#events.typingStart(guildId);
  }

  /**
   * Makes `count` random changes to guilds, channels, roles and members (threads and emojis too with a mix
   * that weighs them, such as `threadAndEmojiMutationMix`) in random guilds, or `guildIds`,
   * each dispatched as Discord would; the world (`guilds`) is then the state a cache should hold.
   */
  mutateState(count: number, options: { mix?: StateMutationMix; guildIds?: readonly string[] } = {}) {
    return this.#stateMutations.apply(count, options);
  }

  /** The user accepts no direct message from the bot any more: sending to their DM channel answers 50007. */
  closeDirectMessages(userId: string): void {
    this.#restState.closedDirectMessages.add(userId);
  }

  /** Starts steady generated traffic; stop it with the returned generator's `stop()`. */
  startTraffic(options: TrafficOptions): TrafficGenerator {
    return this.#events.startTraffic(options);
  }
}
