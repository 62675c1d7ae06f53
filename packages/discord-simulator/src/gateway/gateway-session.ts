import { OffHeapLog } from '../off-heap-log.js';

export type SessionState = 'connected' | 'resumable' | 'invalidated';

/**
 * What a session needs of the connection it is attached to. Declared here, and implemented by
 * `GatewayConnection`, so that a session does not depend on the socket code (which depends on sessions).
 */
export interface SessionConnection {
  /** A zombie feed (fault injection): dispatches are kept for replay but not delivered. */
  readonly silenced: boolean;
  sendFrame(frame: string): void;
  close(code?: number, reason?: string): void;
}

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
 * A gateway session: outlives its connections while resumable. Every dispatch is numbered and kept (at least
 * the last `bufferLimit`) so a RESUME can replay what the client missed.
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
  connection: SessionConnection | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  /** Dispatch frames by sequence, for replay. */
  readonly #sent: OffHeapLog;

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
    this.#sent = new OffHeapLog(input.bufferLimit);
  }

  /**
   * Numbers a dispatch, keeps its frame for replay and sends it on the attached connection unless silenced.
   * While no connection is attached (resumable) the frame is only kept.
   */
  deliver(event: string, dataJson: string): void {
    this.sequence += 1;
    const frame = `{"op":0,"s":${this.sequence},"t":"${event}","d":${dataJson}}`;
    this.#sent.append(this.sequence, frame);
    if (!this.connection?.silenced) this.connection?.sendFrame(frame);
  }

  /** Frames after `sequence`, or undefined when some of them are no longer kept. */
  framesAfter(sequence: number): string[] | undefined {
    const first = this.#sent.firstSequence;
    if (sequence < this.sequence && (first === undefined || first > sequence + 1)) return undefined;
    return this.#sent.after(sequence);
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

  attach(connection: SessionConnection): void {
    clearTimeout(this.#expiryTimer);
    this.connection = connection;
    this.state = 'connected';
  }

  invalidate(): void {
    clearTimeout(this.#expiryTimer);
    this.state = 'invalidated';
    this.#sent.clear();
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
