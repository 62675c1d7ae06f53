import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../support/services.js';

/**
 * A redis-server of the test's own, on its own port and with `requirepass`, for tests that need a Redis
 * URL carrying a password. The configuration goes in on stdin, so the password is not on a command line.
 */
export class OwnedRedis {
  readonly port: number;
  readonly #password: string;
  readonly #server: ChildProcess;

  private constructor(port: number, password: string, server: ChildProcess) {
    this.port = port;
    this.#password = password;
    this.#server = server;
  }

  static async start(password: string): Promise<OwnedRedis> {
    const port = await freePort();
    const server = spawn('redis-server', ['-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    server.stdin?.end(
      [`port ${port}`, 'bind 127.0.0.1', `requirepass "${password}"`, 'save ""', 'appendonly no'].join('\n'),
    );
    const redis = new OwnedRedis(port, password, server);
    await redis.#waitUntilAnswering();
    return redis;
  }

  /** The URL clients use: the default user with the password. */
  get url(): string {
    return `redis://default:${encodeURIComponent(this.#password)}@127.0.0.1:${this.port}`;
  }

  async #waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline || this.#server.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        client.disconnect();
      }
    }
  }

  async stop(): Promise<void> {
    if (this.#server.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#server.once('exit', resolve));
    this.#server.kill('SIGTERM');
    await exited;
  }
}
