import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { intentRequiredFor } from '../model/event-intents.js';
import { guildCreatePayload, readyPayload } from '../model/payloads.js';
import { routingKeyOf, shardIdForGuild } from '../model/snowflake.js';
import type { SimulatedGuild, SimulatedWorld } from '../model/world.js';
import {
  allIntentBits,
  closeEndsSession,
  GatewayCloseCode,
  guildMembersIntent,
  guildPresencesIntent,
  messageContentIntent,
  privilegedIntentBits,
} from './close-codes.js';
import { GatewayConnection, type GatewayHub } from './gateway-connection.js';
import { GatewaySession, type SessionSnapshot } from './gateway-session.js';
import type { IdentifyLimiter } from './identify-limiter.js';

export interface GatewayServerOptions {
  world: SimulatedWorld;
  token: () => string | undefined;
  /** The token was reset (daily identify budget exhausted): REST answers 401, the gateway 4004. */
  revokeToken: () => void;
  baseUrl: () => string;
  identifyLimiter: IdentifyLimiter;
  heartbeatIntervalMs: number;
  privilegedIntents: number;
  resumeWindowMs: number;
  missedHeartbeatCloseCode: number;
  /** Dispatches kept per session for RESUME. */
  replayBufferSize: number;
  onEvent: (event: GatewayEvent) => void;
}

export type GatewayEvent =
  | { type: 'identify'; shard: [number, number]; sessionId: string }
  | { type: 'identifyRefused'; shard: [number, number]; reason: 'concurrency' | 'sessionStartLimit' }
  | { type: 'ready'; shard: [number, number]; sessionId: string }
  | { type: 'resumed'; shard: [number, number]; sessionId: string; replayed: number }
  | { type: 'closed'; shard?: [number, number]; sessionId?: string; code: number; byClient: boolean }
  | { type: 'internalError'; error: unknown }
  | { type: 'firstHeartbeat'; fractionOfInterval: number };

const maxGuildsPerSession = 2_500;

/** Without MESSAGE_CONTENT, guild messages lose their content unless the bot wrote them or is mentioned. */
function needsContentStripped(event: string, data: unknown, botUserId: string): boolean {
  if (event !== 'MESSAGE_CREATE' && event !== 'MESSAGE_UPDATE') return false;
  const message = data as { guild_id?: string; author?: { id: string }; mentions?: { id: string }[] };
  if (!message.guild_id || message.author?.id === botUserId) return false;
  return !(message.mentions ?? []).some((user) => user.id === botUserId);
}

function withoutContent(message: Record<string, unknown>): Record<string, unknown> {
  return { ...message, content: '', embeds: [], attachments: [], components: [] };
}
const presenceLimit = { updates: 5, windowMs: 20_000 };
const allMembersRequestWindowMs = 30_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The gateway side of the simulator: sessions, identify rules, dispatch routing by shard. */
export class GatewayServer implements GatewayHub {
  readonly heartbeatIntervalMs: number;
  readonly missedHeartbeatCloseCode: number;
  readonly #options: GatewayServerOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #connections = new Set<GatewayConnection>();
  readonly #presenceUpdates = new WeakMap<GatewaySession, number[]>();
  readonly #allMembersRequests = new Map<string, number>();

  constructor(options: GatewayServerOptions) {
    this.#options = options;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.missedHeartbeatCloseCode = options.missedHeartbeatCloseCode;
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
    return this.#options.world.guilds.filter((guild) => shardIdForGuild(guild.id, shardCount) === shardId);
  }

  identify(connection: GatewayConnection, data: unknown): void {
    if (connection.session) {
      connection.close(GatewayCloseCode.AlreadyAuthenticated, 'already authenticated');
      return;
    }
    if (!isRecord(data) || typeof data.token !== 'string' || !isRecord(data.properties)) {
      connection.close(GatewayCloseCode.DecodeError, 'invalid identify payload');
      return;
    }
    if (data.token.replace(/^Bot /, '') !== this.#options.token()) {
      connection.close(GatewayCloseCode.AuthenticationFailed, 'authentication failed');
      return;
    }
    const intents = data.intents;
    if (
      typeof intents !== 'number' ||
      !Number.isInteger(intents) ||
      intents < 0 ||
      (intents & ~allIntentBits) !== 0
    ) {
      connection.close(GatewayCloseCode.InvalidIntents, 'invalid intent(s)');
      return;
    }
    if ((intents & privilegedIntentBits & ~this.#options.privilegedIntents) !== 0) {
      connection.close(GatewayCloseCode.DisallowedIntents, 'disallowed intent(s)');
      return;
    }
    let shard: [number, number] = [0, 1];
    if (data.shard !== undefined) {
      const [id, count] = Array.isArray(data.shard) ? data.shard : [];
      if (!Number.isInteger(id) || !Number.isInteger(count) || count < 1 || id < 0 || id >= count) {
        connection.close(GatewayCloseCode.InvalidShard, 'invalid shard');
        return;
      }
      shard = [id, count];
    }
    const largeThreshold = data.large_threshold ?? 50;
    if (typeof largeThreshold !== 'number' || largeThreshold < 50 || largeThreshold > 250) {
      connection.close(GatewayCloseCode.DecodeError, 'large_threshold must be between 50 and 250');
      return;
    }
    const guilds = this.guildsForShard(shard[0], shard[1]);
    if (guilds.length > maxGuildsPerSession) {
      connection.close(GatewayCloseCode.ShardingRequired, 'sharding required');
      return;
    }
    const limiter = this.#options.identifyLimiter;
    limiter.resetAfterMs();
    if (limiter.remaining <= 0) {
      // Discord's answer to an exhausted daily budget: every session ends and the token is reset.
      this.#options.onEvent({ type: 'identifyRefused', shard, reason: 'sessionStartLimit' });
      this.#options.revokeToken();
      this.closeAll(GatewayCloseCode.AuthenticationFailed);
      return;
    }
    if (!limiter.tryTakeSlot(shard[0])) {
      this.#options.onEvent({ type: 'identifyRefused', shard, reason: 'concurrency' });
      connection.sendPayload({ op: 9, d: false });
      return;
    }
    limiter.remaining -= 1;

    const session = new GatewaySession({
      sessionId: randomBytes(16).toString('hex'),
      resumeKey: randomBytes(12).toString('hex'),
      shard,
      intents,
      bufferLimit: this.#options.replayBufferSize,
    });
    this.#sessions.set(session.sessionId, session);
    session.attach(connection);
    connection.session = session;
    // Payload compression cannot be combined with transport compression: the transport wins.
    connection.payloadCompression = data.compress === true && !connection.transportCompressed;
    this.#options.onEvent({ type: 'identify', shard, sessionId: session.sessionId });
    const ready = readyPayload({
      world: this.#options.world,
      guilds,
      sessionId: session.sessionId,
      resumeGatewayUrl: `${this.#options.baseUrl()}/resume/${session.resumeKey}`,
      ...(data.shard !== undefined ? { shard } : {}),
    });
    this.#sendToSession(session, 'READY', JSON.stringify(ready));
    this.#options.onEvent({ type: 'ready', shard, sessionId: session.sessionId });
    for (const guild of guilds) {
      this.#sendToSession(session, 'GUILD_CREATE', JSON.stringify(guildCreatePayload(guild, largeThreshold)));
    }
  }

  resume(connection: GatewayConnection, data: unknown): void {
    if (connection.session) {
      connection.close(GatewayCloseCode.AlreadyAuthenticated, 'already authenticated');
      return;
    }
    if (!isRecord(data) || typeof data.token !== 'string' || typeof data.session_id !== 'string') {
      connection.close(GatewayCloseCode.DecodeError, 'invalid resume payload');
      return;
    }
    if (data.token.replace(/^Bot /, '') !== this.#options.token()) {
      connection.close(GatewayCloseCode.AuthenticationFailed, 'authentication failed');
      return;
    }
    const session = this.#sessions.get(data.session_id);
    const seq = typeof data.seq === 'number' ? data.seq : 0;
    if (!session || session.state === 'invalidated') {
      connection.sendPayload({ op: 9, d: false });
      return;
    }
    if (seq > session.sequence || seq < 0) {
      connection.close(GatewayCloseCode.InvalidSeq, 'invalid seq');
      return;
    }
    const missed = session.framesAfter(seq);
    if (!missed) {
      this.#endSession(session);
      connection.sendPayload({ op: 9, d: false });
      return;
    }
    // A session lives on one connection: a resume takes it over from a connection whose close the server
    // has not seen yet (op 7, a zombie). Attach first so that closing the old one cannot end the session.
    const previous = session.connection;
    session.attach(connection);
    previous?.close(GatewayCloseCode.UnknownError, 'session resumed on another connection');
    session.resumeCount += 1;
    connection.session = session;
    for (const frame of missed) connection.sendFrame(frame);
    this.#sendToSession(session, 'RESUMED', '{}');
    this.#options.onEvent({
      type: 'resumed',
      shard: session.shard,
      sessionId: session.sessionId,
      replayed: missed.length,
    });
  }

  presenceUpdate(connection: GatewayConnection, data: unknown): void {
    const session = connection.session;
    if (!session) return;
    if (!isRecord(data) || !Array.isArray(data.activities) || typeof data.status !== 'string') {
      connection.close(GatewayCloseCode.DecodeError, 'invalid presence payload');
      return;
    }
    const now = Date.now();
    const recent = (this.#presenceUpdates.get(session) ?? []).filter(
      (at) => now - at < presenceLimit.windowMs,
    );
    // Past 5 per 20 s Discord ignores further updates; they are dropped here too.
    if (recent.length < presenceLimit.updates) recent.push(now);
    this.#presenceUpdates.set(session, recent);
  }

  requestGuildMembers(connection: GatewayConnection, data: unknown): void {
    const session = connection.session;
    if (!session) return;
    if (!isRecord(data) || typeof data.guild_id !== 'string') {
      connection.close(GatewayCloseCode.DecodeError, 'invalid request guild members payload');
      return;
    }
    const guild = this.guildsForShard(session.shard[0], session.shard[1]).find(
      (candidate) => candidate.id === data.guild_id,
    );
    if (!guild) return;
    const nonce =
      typeof data.nonce === 'string' && Buffer.byteLength(data.nonce) <= 32 ? data.nonce : undefined;
    const query = typeof data.query === 'string' ? data.query : undefined;
    const limit = typeof data.limit === 'number' ? data.limit : 0;
    const userIds =
      typeof data.user_ids === 'string'
        ? [data.user_ids]
        : Array.isArray(data.user_ids)
          ? data.user_ids
          : undefined;
    let members = guild.members;
    const notFound: string[] = [];
    if (userIds) {
      const wanted = userIds.slice(0, 100).map(String);
      members = guild.members.filter((member) => wanted.includes(member.user.id));
      for (const id of wanted) if (!members.some((member) => member.user.id === id)) notFound.push(id);
    } else if (query !== undefined) {
      const isAllMembers = query === '' && limit === 0;
      if (isAllMembers) {
        if ((session.intents & guildMembersIntent) === 0) {
          connection.close(GatewayCloseCode.DisallowedIntents, 'GUILD_MEMBERS intent required');
          return;
        }
        const key = `${session.sessionId}:${guild.id}`;
        const last = this.#allMembersRequests.get(key);
        const now = Date.now();
        if (last !== undefined && now - last < allMembersRequestWindowMs) {
          const retryAfter = (allMembersRequestWindowMs - (now - last)) / 1_000;
          this.#sendToSession(
            session,
            'RATE_LIMITED',
            JSON.stringify({
              opcode: 8,
              retry_after: retryAfter,
              meta: { guild_id: guild.id, ...(nonce ? { nonce } : {}) },
            }),
          );
          return;
        }
        this.#allMembersRequests.set(key, now);
      } else {
        const prefix = query.toLowerCase();
        members = guild.members
          .filter((member) => member.user.username.toLowerCase().startsWith(prefix))
          .slice(0, Math.min(limit || 100, 100));
      }
    } else {
      connection.close(GatewayCloseCode.DecodeError, 'query or user_ids is required');
      return;
    }
    const presences = data.presences === true && (session.intents & guildPresencesIntent) !== 0;
    const chunkCount = Math.max(1, Math.ceil(members.length / 1_000));
    for (let index = 0; index < chunkCount; index += 1) {
      const chunk = {
        guild_id: guild.id,
        members: members.slice(index * 1_000, (index + 1) * 1_000),
        chunk_index: index,
        chunk_count: chunkCount,
        ...(index === 0 && notFound.length > 0 ? { not_found: notFound } : {}),
        ...(presences ? { presences: [] } : {}),
        ...(nonce ? { nonce } : {}),
      };
      this.#sendToSession(session, 'GUILD_MEMBERS_CHUNK', JSON.stringify(chunk));
    }
  }

  firstHeartbeat(fractionOfInterval: number): void {
    this.#options.onEvent({ type: 'firstHeartbeat', fractionOfInterval });
  }

  internalError(error: unknown): void {
    this.#options.onEvent({ type: 'internalError', error });
  }

  connectionClosed(connection: GatewayConnection, code: number, byClient: boolean): void {
    this.#connections.delete(connection);
    const session = connection.session;
    this.#options.onEvent({
      type: 'closed',
      code,
      byClient,
      ...(session ? { shard: session.shard, sessionId: session.sessionId } : {}),
    });
    if (!session || session.connection !== connection) return;
    if (closeEndsSession(code)) this.#endSession(session);
    else session.detach(this.#options.resumeWindowMs, () => this.#forget(session));
  }

  /**
   * Sends one event to every session (connected or resumable) whose shard the guild maps to and whose
   * intents cover it; events without a guild go to shard 0. Sessions without MESSAGE_CONTENT get messages
   * with their content removed. `dataJson` is `data` serialised, when the caller has it already. Returns the
   * sessions it was sent to.
   */
  dispatch(
    event: string,
    data: unknown,
    guildId: string | undefined,
    dataJson: string = JSON.stringify(data),
  ): GatewaySession[] {
    const requiredIntent = intentRequiredFor(event, guildId !== undefined);
    let contentlessJson: string | undefined;
    const delivered: GatewaySession[] = [];
    const routingKey = guildId === undefined ? undefined : routingKeyOf(guildId);
    for (const session of this.#sessions.values()) {
      if (session.state === 'invalidated') continue;
      const [shardId, shardCount] = session.shard;
      const target = routingKey === undefined ? 0 : routingKey % shardCount;
      if (target !== shardId) continue;
      if (requiredIntent !== 0 && (session.intents & requiredIntent) === 0) continue;
      let json = dataJson;
      if (
        (session.intents & messageContentIntent) === 0 &&
        needsContentStripped(event, data, this.#options.world.botUser.id)
      ) {
        contentlessJson ??= JSON.stringify(withoutContent(data as Record<string, unknown>));
        json = contentlessJson;
      }
      this.#sendToSession(session, event, json);
      delivered.push(session);
    }
    return delivered;
  }

  #sendToSession(session: GatewaySession, event: string, dataJson: string): void {
    const frame = session.record(event, dataJson);
    if (!session.connection?.silenced) session.connection?.sendFrame(frame);
  }

  #endSession(session: GatewaySession): void {
    session.invalidate();
    this.#forget(session);
  }

  #forget(session: GatewaySession): void {
    this.#sessions.delete(session.sessionId);
  }

  sessions(): SessionSnapshot[] {
    return [...this.#sessions.values()].map((session) => session.snapshot());
  }

  #connectionsOf(shardId?: number): GatewayConnection[] {
    return [...this.#connections].filter(
      (connection) =>
        connection.isOpen && (shardId === undefined || connection.session?.shard[0] === shardId),
    );
  }

  requestReconnect(shardId?: number): void {
    for (const connection of this.#connectionsOf(shardId)) {
      if (connection.session) connection.sendPayload({ op: 7, d: null });
    }
  }

  requestHeartbeat(shardId?: number): void {
    for (const connection of this.#connectionsOf(shardId)) connection.sendPayload({ op: 1, d: null });
  }

  dropConnection(shardId: number, code?: number): void {
    for (const connection of this.#connectionsOf(shardId)) connection.close(code);
  }

  invalidateSession(shardId: number, resumable: boolean): void {
    for (const connection of this.#connectionsOf(shardId)) {
      const session = connection.session;
      if (!session) continue;
      if (!resumable) this.#endSession(session);
      connection.sendPayload({ op: 9, d: resumable });
    }
  }

  /** Stops delivering dispatches on the shard's current connections (a silent, half-dead feed). */
  silenceDispatches(shardId: number): void {
    for (const connection of this.#connectionsOf(shardId)) connection.silenced = true;
  }

  withholdHeartbeatAcks(shardId: number | undefined, withhold: boolean): void {
    for (const connection of this.#connectionsOf(shardId)) connection.withholdAcks = withhold;
  }

  /** The token was reset: every session ends with 4004, as when the daily identify budget runs out. */
  closeAll(code?: number): void {
    for (const connection of [...this.#connections]) connection.close(code);
    for (const session of this.#sessions.values()) session.invalidate();
    this.#sessions.clear();
  }

  async stop(): Promise<void> {
    for (const connection of [...this.#connections]) connection.close(1001, 'simulator stopping');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
