import { GatewayCloseCode } from './close-codes.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { GatewaySession } from './gateway-session.js';
import { isRecord } from './json-record.js';

const presenceLimit = { updates: 5, windowMs: 20_000 };

/** Op 3: validates presence updates and applies Discord's 5 per 20 s cap. */
export class PresenceUpdates {
  readonly #recentBySession = new WeakMap<GatewaySession, number[]>();

  update(connection: GatewayConnection, data: unknown): void {
    const session = connection.session;
    if (!session) return;
    if (!isRecord(data) || !Array.isArray(data.activities) || typeof data.status !== 'string') {
      connection.close(GatewayCloseCode.DecodeError, 'invalid presence payload');
      return;
    }
    const now = Date.now();
    const recent = (this.#recentBySession.get(session) ?? []).filter(
      (at) => now - at < presenceLimit.windowMs,
    );
    // Past 5 per 20 s Discord ignores further updates; they are dropped here too.
    if (recent.length < presenceLimit.updates) recent.push(now);
    this.#recentBySession.set(session, recent);
  }
}
