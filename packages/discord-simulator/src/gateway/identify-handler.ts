import { randomBytes } from 'node:crypto';
import type { BotToken } from '../bot-token.js';
import { guildCreatePayload, readyPayload } from '../model/payloads/session-payloads.js';
import type { SimulatedWorld } from '../model/world.js';
import { allIntentBits, GatewayCloseCode, privilegedIntentBits } from './close-codes.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { GatewayObserver } from './gateway-observer.js';
import { GatewaySession } from './gateway-session.js';
import type { IdentifyLimiter } from './identify-limiter.js';
import { isRecord } from './json-record.js';
import type { SessionRegistry } from './session-registry.js';
import { guildsForShard } from './shard-guilds.js';

export interface IdentifyHandlerOptions {
  world: SimulatedWorld;
  token: BotToken;
  identifyLimiter: IdentifyLimiter;
  /** Privileged intents enabled for the application; others close with 4014. */
  privilegedIntents: number;
  /** Dispatches kept per session for RESUME. */
  replayBufferSize: number;
  /** `ws://host:port`, the base of each session's `resume_gateway_url`. */
  baseUrl: string;
  sessions: SessionRegistry;
  connections: ConnectionRegistry;
  observer: GatewayObserver;
}

const maxGuildsPerSession = 2_500;

/** Op 2: validates IDENTIFY as Discord does, applies the identify limits, opens a session and sends READY. */
export class IdentifyHandler {
  readonly #options: IdentifyHandlerOptions;

  constructor(options: IdentifyHandlerOptions) {
    this.#options = options;
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
    if (data.token.replace(/^Bot /, '') !== this.#options.token.current) {
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
    const guilds = guildsForShard(this.#options.world.guilds, shard[0], shard[1]);
    if (guilds.length > maxGuildsPerSession) {
      connection.close(GatewayCloseCode.ShardingRequired, 'sharding required');
      return;
    }
    if (!this.#takeIdentifySlot(connection, shard)) return;

    const session = new GatewaySession({
      sessionId: randomBytes(16).toString('hex'),
      resumeKey: randomBytes(12).toString('hex'),
      shard,
      intents,
      bufferLimit: this.#options.replayBufferSize,
    });
    this.#options.sessions.add(session);
    session.attach(connection);
    connection.session = session;
    // Payload compression cannot be combined with transport compression: the transport wins.
    connection.payloadCompression = data.compress === true && !connection.transportCompressed;
    this.#options.observer.identified(shard, session.sessionId);
    const ready = readyPayload({
      world: this.#options.world,
      guilds,
      sessionId: session.sessionId,
      resumeGatewayUrl: `${this.#options.baseUrl}/resume/${session.resumeKey}`,
      ...(data.shard !== undefined ? { shard } : {}),
    });
    session.deliver('READY', JSON.stringify(ready));
    this.#options.observer.ready(shard, session.sessionId);
    for (const guild of guilds) {
      session.deliver(
        'GUILD_CREATE',
        JSON.stringify(guildCreatePayload(guild, largeThreshold, this.#options.world.botUser.id)),
      );
    }
  }

  /** The daily budget and the per-bucket concurrency; false (and the client told) when refused. */
  #takeIdentifySlot(connection: GatewayConnection, shard: [number, number]): boolean {
    const { identifyLimiter: limiter, observer } = this.#options;
    limiter.resetAfterMs();
    if (limiter.remaining <= 0) {
      // Discord's answer to an exhausted daily budget: every session ends and the token is reset.
      observer.identifyRefused(shard, 'sessionStartLimit');
      this.#options.token.revoke();
      this.#options.connections.closeAll(GatewayCloseCode.AuthenticationFailed);
      this.#options.sessions.endAll();
      return false;
    }
    if (!limiter.tryTakeSlot(shard[0])) {
      observer.identifyRefused(shard, 'concurrency');
      connection.sendPayload({ op: 9, d: false });
      return false;
    }
    limiter.remaining -= 1;
    return true;
  }
}
