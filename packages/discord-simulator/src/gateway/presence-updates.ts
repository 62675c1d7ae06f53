import type { GatewayPresenceUpdateData } from 'discord-api-types/v10';
import { GatewayCloseCode } from './close-codes.js';
import type { GatewayConnection } from './gateway-connection.js';
import type { GatewaySession } from './gateway-session.js';
import { isRecord } from './json-record.js';

const presenceLimit = { updates: 5, windowMs: 20_000 };
/** Records kept (the newest): enough for any test, bounded for a long `npm start`. */
const recordsKept = 10_000;

/** One op 3 a session sent, as received. */
export interface PresenceUpdateRecord {
  /** `[shard_id, num_shards]` of the session that sent it. */
  shard: [number, number];
  sessionId: string;
  receivedAt: number;
  presence: GatewayPresenceUpdateData;
  /** False when Discord would have ignored it: past 5 updates in 20 s on the session. */
  applied: boolean;
}

/** Op 3: validates presence updates, applies Discord's 5 per 20 s cap, and records each one per shard. */
export class PresenceUpdates {
  readonly #recentBySession = new WeakMap<GatewaySession, number[]>();
  readonly #records: PresenceUpdateRecord[] = [];

  /** The presence updates received, oldest first (the newest 10,000). */
  get records(): readonly PresenceUpdateRecord[] {
    return this.#records;
  }

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
    const applied = recent.length < presenceLimit.updates;
    if (applied) recent.push(now);
    this.#recentBySession.set(session, recent);
    this.#records.push({
      shard: [...session.shard],
      sessionId: session.sessionId,
      receivedAt: now,
      presence: data as unknown as GatewayPresenceUpdateData,
      applied,
    });
    if (this.#records.length > recordsKept) this.#records.splice(0, this.#records.length - recordsKept);
  }
}
