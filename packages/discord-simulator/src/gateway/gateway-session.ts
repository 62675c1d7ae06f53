import type { GatewayConnection } from './gateway-connection.js';

export type SessionState = 'connected' | 'resumable' | 'invalidated';

export interface SessionSnapshot {
  sessionId: string;
  shard: [number, number];
  state: SessionState;
  /** Last sequence number sent (or buffered) on this session. */
  sequence: number;
  identifiedAt: number;
  resumeCount: number;
  intents: number;
}

/**
 * A gateway session: outlives its connections while resumable. Every dispatch is numbered and kept (up to
 * `bufferLimit`) so a RESUME can replay what the client missed.
 */
export class GatewaySession {
  readonly sessionId: string;
  readonly resumeKey: string;
  readonly shard: [number, number];
  readonly intents: number;
  readonly identifiedAt = Date.now();
  state: SessionState = 'connected';
  sequence = 0;
  resumeCount = 0;
  connection: GatewayConnection | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  /** Serialised dispatch frames by sequence, oldest first (between `bufferLimit` and twice that). */
  #sent: { sequence: number; frame: string }[] = [];
  readonly #bufferLimit: number;

  constructor(input: {
    sessionId: string;
    resumeKey: string;
    shard: [number, number];
    intents: number;
    bufferLimit: number;
  }) {
    this.sessionId = input.sessionId;
    this.resumeKey = input.resumeKey;
    this.shard = input.shard;
    this.intents = input.intents;
    this.#bufferLimit = input.bufferLimit;
  }

  /** Numbers a dispatch, keeps it for replay and returns its frame. */
  record(event: string, dataJson: string): string {
    this.sequence += 1;
    const frame = `{"op":0,"s":${this.sequence},"t":"${event}","d":${dataJson}}`;
    this.#sent.push({ sequence: this.sequence, frame });
    // Trimming in halves keeps recording O(1) amortised at tens of thousands of events per second.
    if (this.#sent.length > this.#bufferLimit * 2) this.#sent = this.#sent.slice(-this.#bufferLimit);
    return frame;
  }

  /** Frames after `sequence`, or undefined when some of them are no longer kept. */
  framesAfter(sequence: number): string[] | undefined {
    const first = this.#sent[0];
    if (sequence < this.sequence && first && first.sequence > sequence + 1) return undefined;
    return this.#sent.filter((entry) => entry.sequence > sequence).map((entry) => entry.frame);
  }

  /** The connection went away without ending the session: keep it resumable for `windowMs`. */
  detach(windowMs: number, onExpire: () => void): void {
    this.connection = undefined;
    if (this.state === 'invalidated') return;
    this.state = 'resumable';
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = setTimeout(() => {
      this.invalidate();
      onExpire();
    }, windowMs);
    this.#expiryTimer.unref();
  }

  attach(connection: GatewayConnection): void {
    clearTimeout(this.#expiryTimer);
    this.connection = connection;
    this.state = 'connected';
  }

  invalidate(): void {
    clearTimeout(this.#expiryTimer);
    this.state = 'invalidated';
    this.#sent = [];
  }

  snapshot(): SessionSnapshot {
    return {
      sessionId: this.sessionId,
      shard: [...this.shard],
      state: this.state,
      sequence: this.sequence,
      identifiedAt: this.identifiedAt,
      resumeCount: this.resumeCount,
      intents: this.intents,
    };
  }
}
