import type { GatewaySession, SessionSnapshot } from './gateway-session.js';

/** The live and resumable sessions, by session id. */
export class SessionRegistry {
  readonly #sessions = new Map<string, GatewaySession>();

  add(session: GatewaySession): void {
    this.#sessions.set(session.sessionId, session);
  }

  get(sessionId: string): GatewaySession | undefined {
    return this.#sessions.get(sessionId);
  }

  /** Every session, in identify order: the dispatch router walks this for each event. */
  values(): MapIterator<GatewaySession> {
    return this.#sessions.values();
  }

  /** Ends a session for good: a later RESUME gets op 9. */
  end(session: GatewaySession): void {
    session.invalidate();
    this.forget(session);
  }

  /** Drops a session that already ended (its resume window expired). */
  forget(session: GatewaySession): void {
    this.#sessions.delete(session.sessionId);
  }

  endAll(): void {
    for (const session of this.#sessions.values()) session.invalidate();
    this.#sessions.clear();
  }

  snapshots(): SessionSnapshot[] {
    return [...this.#sessions.values()].map((session) => session.snapshot());
  }
}
