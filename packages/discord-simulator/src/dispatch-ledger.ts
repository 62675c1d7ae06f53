/** One dispatch as the simulator sent it to one session. */
export interface DispatchRecord {
  shardId: number;
  sessionId: string;
  sequence: number;
  event: string;
  /** The event's own identity (message id, interaction id, `guild:user` for member events). */
  key: string;
  sentAt: number;
}

/**
 * Every dispatch sent, per session and sequence, so a test can prove a cluster lost nothing and handled
 * nothing twice. Bounded: past `capacity` records the oldest half is dropped and `truncated` says so.
 */
export class DispatchLedger {
  #records: DispatchRecord[] = [];
  #truncated = false;
  readonly #capacity: number;
  enabled: boolean;

  constructor(capacity: number, enabled = true) {
    this.#capacity = capacity;
    this.enabled = enabled;
  }

  record(entry: DispatchRecord): void {
    if (!this.enabled) return;
    this.#records.push(entry);
    if (this.#records.length > this.#capacity) {
      this.#records = this.#records.slice(-Math.floor(this.#capacity / 2));
      this.#truncated = true;
    }
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  /** Records, optionally only those of one event type. */
  entries(event?: string): readonly DispatchRecord[] {
    return event === undefined ? this.#records : this.#records.filter((record) => record.event === event);
  }

  clear(): void {
    this.#records = [];
    this.#truncated = false;
  }
}

/** The identity of an event for the ledger. */
export function dispatchKey(event: string, data: unknown): string {
  const record = data as { id?: unknown; guild_id?: unknown; user?: { id?: unknown }; user_id?: unknown };
  if (typeof record.id === 'string') return record.id;
  const userId = record.user?.id ?? record.user_id;
  if (typeof record.guild_id === 'string' && typeof userId === 'string')
    return `${record.guild_id}:${userId}`;
  return event;
}
