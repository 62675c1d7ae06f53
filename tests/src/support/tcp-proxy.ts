import { createConnection, createServer, type Server, type Socket } from 'node:net';

interface ProxiedConnection {
  client: Socket;
  upstream: Socket;
  pipes: DelayedPipe[];
  /** This connection's bytes are held (a flow stuck in a middlebox); new connections still flow. */
  stalled: boolean;
}

/** One direction of a proxied connection: chunks leave in order, each `latencyMs` after it arrived. */
class DelayedPipe {
  readonly #to: Socket;
  readonly #proxy: TcpProxy;
  readonly #queue: { at: number; chunk: Buffer }[] = [];
  #timer: NodeJS.Timeout | undefined;

  readonly #connection: ProxiedConnection;

  constructor(from: Socket, to: Socket, proxy: TcpProxy, connection: ProxiedConnection) {
    this.#to = to;
    this.#proxy = proxy;
    this.#connection = connection;
    from.on('data', (chunk: Buffer) => {
      this.#queue.push({ at: Date.now() + proxy.latencyMs, chunk });
      this.#pump();
    });
  }

  /** Sends what is due, unless the proxy is stalled; re-arms for the next chunk. */
  #pump(): void {
    if (this.#timer) return;
    const now = Date.now();
    const stalled = this.#proxy.stalled || this.#connection.stalled;
    while (!stalled && this.#queue.length > 0 && (this.#queue[0]?.at ?? 0) <= now) {
      const next = this.#queue.shift();
      if (next && !this.#to.destroyed) this.#to.write(next.chunk);
    }
    if (this.#queue.length === 0) return;
    const wait = stalled ? 50 : Math.max(1, (this.#queue[0]?.at ?? now) - now);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, wait);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}

/**
 * A TCP proxy for fault tests, since this kernel has no `tc netem`: it adds latency to every chunk in
 * both directions, can stall every connection (bytes are held, not lost, until it resumes) and can drop
 * them all (both sides destroyed, as a middlebox timing out would).
 */
export class TcpProxy {
  /** Added to each chunk's delivery, in both directions. */
  latencyMs = 0;
  /** While true, nothing is forwarded (connections stay open, data waits). */
  stalled = false;
  /** Connections dropped so far by `dropConnections`. */
  dropped = 0;
  readonly port: number;
  readonly host: string;
  readonly #server: Server;
  readonly #connections: Set<ProxiedConnection>;

  private constructor(server: Server, host: string, port: number, connections: Set<ProxiedConnection>) {
    this.#server = server;
    this.host = host;
    this.port = port;
    this.#connections = connections;
  }

  /** Listens on `listen` (port 0 = any free one) and forwards to `target`. */
  static async start(
    listen: { host: string; port?: number },
    target: { host: string; port: number },
  ): Promise<TcpProxy> {
    const connections = new Set<ProxiedConnection>();
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => {
      const upstream = createConnection(target);
      const connection: ProxiedConnection = { client, upstream, pipes: [], stalled: false };
      if (!proxy) throw new Error('proxy not started');
      connection.pipes = [
        new DelayedPipe(client, upstream, proxy, connection),
        new DelayedPipe(upstream, client, proxy, connection),
      ];
      connections.add(connection);
      const close = () => {
        for (const pipe of connection.pipes) pipe.stop();
        client.destroy();
        upstream.destroy();
        connections.delete(connection);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port ?? 0, listen.host, () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new TcpProxy(server, listen.host, address.port, connections);
    return proxy;
  }

  get openConnections(): number {
    return this.#connections.size;
  }

  /** Holds the bytes of every connection open now for `ms` (they go on afterwards); new ones flow. */
  stallOpenConnections(ms: number): number {
    const stalled = [...this.#connections];
    for (const connection of stalled) connection.stalled = true;
    setTimeout(() => {
      for (const connection of stalled) connection.stalled = false;
    }, ms).unref();
    return stalled.length;
  }

  /** Destroys every open connection, both sides (clients see a reset and reconnect). */
  dropConnections(): void {
    for (const connection of [...this.#connections]) {
      connection.client.resetAndDestroy();
      connection.upstream.destroy();
      this.dropped += 1;
    }
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
