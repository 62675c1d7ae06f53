import type { Duplex } from 'node:stream';
import { createDeflate, type Deflate, deflateSync, constants as zlibConstants } from 'node:zlib';
import type { WebSocket } from 'ws';
import { GatewayCloseCode } from './close-codes.js';
import type { GatewaySession, SessionConnection } from './gateway-session.js';

/** What a connection asks of the server it belongs to. */
export interface GatewayHub {
  readonly heartbeatIntervalMs: number;
  readonly missedHeartbeatCloseCode: number;
  identify(connection: GatewayConnection, data: unknown): void;
  resume(connection: GatewayConnection, data: unknown): void;
  presenceUpdate(connection: GatewayConnection, data: unknown): void;
  requestGuildMembers(connection: GatewayConnection, data: unknown): void;
  connectionClosed(connection: GatewayConnection, code: number, byClient: boolean): void;
  internalError(error: unknown): void;
  firstHeartbeat(fractionOfInterval: number): void;
}

const maxPayloadBytes = 4_096;
const payloadCompressionThreshold = 1_024;
const sendLimit = { payloads: 120, windowMs: 60_000 };

/**
 * One WebSocket: HELLO, heartbeats, the client's payload limits and transport compression. Everything
 * about sessions is the hub's business.
 */
export class GatewayConnection implements SessionConnection {
  readonly socket: WebSocket;
  /** The session identified or resumed on this connection, once there is one. */
  session: GatewaySession | undefined;
  /** Set while the server withholds heartbeat ACKs (fault injection). */
  withholdAcks = false;
  /** A zombie feed: heartbeats are acknowledged but dispatches are not delivered (they stay replayable). */
  silenced = false;
  /** IDENTIFY asked for payload compression (`compress: true`) and the transport is not compressed. */
  payloadCompression = false;
  #heartbeatDeadline: NodeJS.Timeout | undefined;
  #helloSentAt = 0;
  /** When the first heartbeat came, as a fraction of the interval (Discord expects interval × jitter). */
  firstHeartbeatFraction: number | undefined;
  #windowStartedAt = Date.now();
  #payloadsInWindow = 0;
  #closed = false;
  readonly #hub: GatewayHub;
  readonly #deflate: Deflate | undefined;
  /** Compressed bytes of the message being flushed. */
  #deflated: Buffer[] = [];
  /** The TCP socket under the WebSocket, when known: frames sent in one turn leave in one write. */
  readonly #transport: Duplex | undefined;
  #corked = false;

  get transportCompressed(): boolean {
    return this.#deflate !== undefined;
  }

  constructor(socket: WebSocket, hub: GatewayHub, options: { zlibStream: boolean; transport?: Duplex }) {
    this.socket = socket;
    this.#hub = hub;
    this.#transport = options.transport;
    this.#deflate = options.zlibStream ? createDeflate({ chunkSize: 64 * 1024 }) : undefined;
    this.#deflate?.on('data', (chunk: Buffer) => this.#deflated.push(chunk));
    socket.on('message', (data, isBinary) => {
      try {
        this.#onMessage(data as Buffer, isBinary);
      } catch (error) {
        // A simulator bug must look like a Discord hiccup to the client (resumable), not crash the process.
        hub.internalError(error);
        this.close(GatewayCloseCode.UnknownError, 'internal error');
      }
    });
    socket.on('close', (code) => this.#onClose(code, true));
    socket.on('error', () => this.#onClose(1006, true));
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  start(): void {
    this.sendPayload({ op: 10, d: { heartbeat_interval: this.#hub.heartbeatIntervalMs } });
    this.#helloSentAt = performance.now();
    this.#armHeartbeatDeadline();
  }

  sendPayload(payload: unknown): void {
    this.sendFrame(JSON.stringify(payload));
  }

  /**
   * Holds this turn's frames back until the turn ends, then writes them together. A traffic tick sends tens
   * of frames to each connection: one write (and one loopback delivery) per frame made the simulator's own
   * system calls its largest cost at load, delaying every frame behind them. Each frame is still its own
   * WebSocket message, sent before the next turn.
   */
  #coalesceWrites(): void {
    const transport = this.#transport;
    if (this.#corked || !transport) return;
    this.#corked = true;
    transport.cork();
    process.nextTick(() => {
      this.#corked = false;
      transport.uncork();
    });
  }

  /** Sends a serialised payload, compressed on the connection's shared zlib context when asked for. */
  sendFrame(frame: string | Buffer): void {
    if (this.#closed) return;
    const deflate = this.#deflate;
    if (!deflate) {
      this.#coalesceWrites();
      // Raw bytes (fault injection) go out as a text frame, unchecked.
      if (typeof frame !== 'string') {
        this.socket.send(frame, { binary: false });
        return;
      }
      // Payload compression zlib-compresses *some* payloads (the large ones), each on its own.
      if (this.payloadCompression && frame.length > payloadCompressionThreshold)
        this.socket.send(deflateSync(frame));
      else this.socket.send(frame);
      return;
    }
    // One deflate context per connection; every message ends with a sync flush (00 00 ff ff). Frames are
    // pipelined: zlib handles writes and flushes in order and emits a flush's output before calling its
    // callback, so the bytes gathered when flush N calls back are exactly message N.
    deflate.write(frame);
    deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
      const message = Buffer.concat(this.#deflated);
      this.#deflated = [];
      if (!this.#closed) this.socket.send(message);
    });
  }

  /** Closes from the server side with a code (a missing code means "drop the TCP connection"). */
  close(code?: number, reason = ''): void {
    if (this.#closed) return;
    if (code === undefined) this.socket.terminate();
    else this.socket.close(code, reason);
    this.#onClose(code ?? 1006, false);
  }

  #armHeartbeatDeadline(): void {
    clearTimeout(this.#heartbeatDeadline);
    // Discord allows some latency on top of the interval before it considers the client gone.
    this.#heartbeatDeadline = setTimeout(
      () => this.close(this.#hub.missedHeartbeatCloseCode, 'heartbeat not received'),
      Math.ceil(this.#hub.heartbeatIntervalMs * 1.5),
    );
    this.#heartbeatDeadline.unref();
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    if (!this.#countPayload()) return;
    if (data.length > maxPayloadBytes) {
      this.close(GatewayCloseCode.DecodeError, 'payload too large');
      return;
    }
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary && data[0] === 0x83) throw new Error('etf is not supported');
      payload = JSON.parse(data.toString('utf8'));
      if (typeof payload !== 'object' || payload === null) throw new Error('not an object');
    } catch {
      this.close(GatewayCloseCode.DecodeError, 'error while decoding payload');
      return;
    }
    const { op, d } = payload;
    if (op === 1) {
      if (this.firstHeartbeatFraction === undefined) {
        this.firstHeartbeatFraction = (performance.now() - this.#helloSentAt) / this.#hub.heartbeatIntervalMs;
        this.#hub.firstHeartbeat(this.firstHeartbeatFraction);
      }
      this.#armHeartbeatDeadline();
      if (!this.withholdAcks) this.sendPayload({ op: 11 });
      return;
    }
    if (op === 2) {
      this.#hub.identify(this, d);
      return;
    }
    if (op === 6) {
      this.#hub.resume(this, d);
      return;
    }
    if (op === 3 || op === 4 || op === 8 || op === 31 || op === 43) {
      if (!this.session) {
        this.close(GatewayCloseCode.NotAuthenticated, 'not authenticated');
        return;
      }
      if (op === 3) this.#hub.presenceUpdate(this, d);
      if (op === 8) this.#hub.requestGuildMembers(this, d);
      return;
    }
    this.close(GatewayCloseCode.UnknownOpcode, 'unknown opcode');
  }

  /** 120 payloads per 60 s per connection, heartbeats included; one more closes with 4008. */
  #countPayload(): boolean {
    const now = Date.now();
    if (now - this.#windowStartedAt >= sendLimit.windowMs) {
      this.#windowStartedAt = now;
      this.#payloadsInWindow = 0;
    }
    this.#payloadsInWindow += 1;
    if (this.#payloadsInWindow > sendLimit.payloads) {
      this.close(GatewayCloseCode.RateLimited, 'you are being rate limited');
      return false;
    }
    return true;
  }

  #onClose(code: number, byClient: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#heartbeatDeadline);
    this.#deflate?.close();
    this.#hub.connectionClosed(this, code, byClient);
  }
}
