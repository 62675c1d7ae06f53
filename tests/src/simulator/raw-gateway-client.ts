import { inflateSync } from 'node:zlib';
import WebSocket from 'ws';

export interface GatewayFrame {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

/**
 * A deliberately plain gateway client for conformance tests: it sends exactly what a test tells it to and
 * records every frame and the close code, so each protocol rule can be checked in isolation.
 */
export class RawGatewayClient {
  readonly frames: GatewayFrame[] = [];
  readonly rawMessages: Buffer[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #waiters = new Set<() => void>();

  private constructor(url: string) {
    this.socket = new WebSocket(url);
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake();
      });
    });
    this.socket.on('message', (data: Buffer, isBinary) => {
      this.rawMessages.push(data);
      if (!isBinary) this.frames.push(JSON.parse(data.toString('utf8')));
      this.#wake();
    });
  }

  static async connect(url: string): Promise<RawGatewayClient> {
    const client = new RawGatewayClient(url);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('open', () => resolve());
      client.socket.once('error', reject);
    });
    return client;
  }

  send(payload: unknown): void {
    this.socket.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }

  identify(token: string, extra: Record<string, unknown> = {}): void {
    this.send({
      op: 2,
      d: { token, intents: 513, properties: { os: 'linux', browser: 'test', device: 'test' }, ...extra },
    });
  }

  /** Resolves with the first frame (seen or future) that matches. */
  async waitForFrame(matches: (frame: GatewayFrame) => boolean, timeoutMs = 5_000): Promise<GatewayFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(matches);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('expected gateway frame not received');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  dispatches(event?: string): GatewayFrame[] {
    return this.frames.filter((frame) => frame.op === 0 && (event === undefined || frame.t === event));
  }

  close(code = 1000): void {
    this.socket.close(code);
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}

/** Inflates a zlib-stream connection's messages (one shared context) into payloads. */
export function inflateZlibStream(messages: readonly Buffer[]): GatewayFrame[] {
  const all = Buffer.concat(messages as Buffer[]);
  const text = inflateSync(all, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString('utf8');
  return text
    .split(/(?<=\})(?=\{"op")/)
    .filter((part) => part.length > 0)
    .map((part) => JSON.parse(part));
}
