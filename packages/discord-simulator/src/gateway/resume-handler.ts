import type { BotToken } from '../bot-token.js';
import { GatewayCloseCode } from './close-codes.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { GatewayObserver } from './gateway-observer.js';
import { isRecord } from './json-record.js';
import type { SessionRegistry } from './session-registry.js';

/** Op 6: takes a resumable session onto a new connection and replays what the client missed. */
export class ResumeHandler {
  readonly #token: BotToken;
  readonly #sessions: SessionRegistry;
  readonly #observer: GatewayObserver;

  constructor(input: { token: BotToken; sessions: SessionRegistry; observer: GatewayObserver }) {
    this.#token = input.token;
    this.#sessions = input.sessions;
    this.#observer = input.observer;
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
    if (data.token.replace(/^Bot /, '') !== this.#token.current) {
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
      this.#sessions.end(session);
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
    session.deliver('RESUMED', '{}');
    this.#observer.resumed(session.shard, session.sessionId, missed.length);
  }
}
