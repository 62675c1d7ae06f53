import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { BotToken } from '../bot-token.js';
import type { SimulatedGuild, SimulatedWorld } from '../model/world.js';
import { closeEndsSession, GatewayCloseCode } from './close-codes.js';
import { ConnectionRegistry } from './connection-registry.js';
import { DispatchRouter } from './dispatch-router.js';
import { GatewayConnection, type GatewayHub } from './gateway-connection.js';
import { GatewayFaults } from './gateway-faults.js';
import type { GatewayObserver } from './gateway-observer.js';
import type { SessionSnapshot } from './gateway-session.js';
import { GuildMemberRequests } from './guild-member-requests.js';
import { IdentifyHandler } from './identify-handler.js';
import type { IdentifyLimiter } from './identify-limiter.js';
import { type PresenceUpdateRecord, PresenceUpdates } from './presence-updates.js';
import { ResumeHandler } from './resume-handler.js';
import { SessionRegistry } from './session-registry.js';
import { guildsForShard } from './shard-guilds.js';

export interface GatewayServerOptions {
  world: SimulatedWorld;
  token: BotToken;
  /** `ws://host:port`, the base of each session's `resume_gateway_url`. */
  baseUrl: string;
  identifyLimiter: IdentifyLimiter;
  heartbeatIntervalMs: number;
  privilegedIntents: number;
  resumeWindowMs: number;
  missedHeartbeatCloseCode: number;
  /** Dispatches kept per session for RESUME. */
  replayBufferSize: number;
  observer: GatewayObserver;
}

/**
 * The gateway side of the simulator: accepts WebSocket upgrades and hands each client op to the module that
 * handles it (identify, resume, presence, member requests); dispatches go through the router.
 */
export class GatewayServer implements GatewayHub {
  readonly heartbeatIntervalMs: number;
  readonly missedHeartbeatCloseCode: number;
  /** Server-side disruptions (ops 1, 7, 9, drops, zombie feeds) for tests and the control API. */
  readonly faults: GatewayFaults;
  /** Sends each dispatch to the sessions that should receive it. */
  readonly router: DispatchRouter;
  readonly #world: SimulatedWorld;
  readonly #resumeWindowMs: number;
  readonly #observer: GatewayObserver;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  readonly #sessions = new SessionRegistry();
  readonly #connections = new ConnectionRegistry();
  readonly #identify: IdentifyHandler;
  readonly #resume: ResumeHandler;
  readonly #presence = new PresenceUpdates();
  readonly #memberRequests: GuildMemberRequests;

  constructor(options: GatewayServerOptions) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.missedHeartbeatCloseCode = options.missedHeartbeatCloseCode;
    this.#world = options.world;
    this.#resumeWindowMs = options.resumeWindowMs;
    this.#observer = options.observer;
    this.faults = new GatewayFaults(this.#connections, this.#sessions);
    this.router = new DispatchRouter(this.#sessions, options.world.botUser.id);
    this.#identify = new IdentifyHandler({
      world: options.world,
      token: options.token,
      identifyLimiter: options.identifyLimiter,
      privilegedIntents: options.privilegedIntents,
      replayBufferSize: options.replayBufferSize,
      baseUrl: options.baseUrl,
      sessions: this.#sessions,
      connections: this.#connections,
      observer: options.observer,
    });
    this.#resume = new ResumeHandler({
      token: options.token,
      sessions: this.#sessions,
      observer: options.observer,
    });
    this.#memberRequests = new GuildMemberRequests(options.world);
  }

  /** Accepts WebSocket upgrades on `/gateway` and on a session's resume path. Returns false otherwise. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const isBootstrap = url.pathname === '/gateway' || url.pathname === '/gateway/';
    const isResume = url.pathname.startsWith('/resume/');
    if (!isBootstrap && !isResume) return false;
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, socket, url));
    return true;
  }

  #accept(ws: WebSocket, transport: Duplex, url: URL): void {
    const connection = new GatewayConnection(ws, this, {
      zlibStream: url.searchParams.get('compress') === 'zlib-stream',
      transport,
    });
    this.#connections.add(connection);
    const version = url.searchParams.get('v');
    if (version !== null && version !== '10' && version !== '9') {
      connection.close(GatewayCloseCode.InvalidApiVersion, 'invalid API version');
      return;
    }
    const encoding = url.searchParams.get('encoding') ?? 'json';
    if (encoding !== 'json') {
      connection.close(GatewayCloseCode.DecodeError, 'only encoding=json is simulated');
      return;
    }
    connection.start();
  }

  guildsForShard(shardId: number, shardCount: number): SimulatedGuild[] {
    return guildsForShard(this.#world.guilds, shardId, shardCount);
  }

  identify(connection: GatewayConnection, data: unknown): void {
    this.#identify.identify(connection, data);
  }

  resume(connection: GatewayConnection, data: unknown): void {
    this.#resume.resume(connection, data);
  }

  presenceUpdate(connection: GatewayConnection, data: unknown): void {
    this.#presence.update(connection, data);
  }

  /** The presence updates (op 3) sessions sent, oldest first. */
  presenceUpdates(): readonly PresenceUpdateRecord[] {
    return this.#presence.records;
  }

  requestGuildMembers(connection: GatewayConnection, data: unknown): void {
    this.#memberRequests.request(connection, data);
  }

  firstHeartbeat(fractionOfInterval: number): void {
    this.#observer.firstHeartbeat(fractionOfInterval);
  }

  internalError(error: unknown): void {
    this.#observer.internalError(error);
  }

  connectionClosed(connection: GatewayConnection, code: number, byClient: boolean): void {
    this.#connections.delete(connection);
    const session = connection.session;
    this.#observer.closed({
      code,
      byClient,
      ...(session ? { shard: session.shard, sessionId: session.sessionId } : {}),
    });
    if (!session || session.connection !== connection) return;
    if (closeEndsSession(code)) this.#sessions.end(session);
    else session.detach(this.#resumeWindowMs, () => this.#sessions.forget(session));
  }

  sessions(): SessionSnapshot[] {
    return this.#sessions.snapshots();
  }

  async stop(): Promise<void> {
    this.#connections.closeAll(1001, 'simulator stopping');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
