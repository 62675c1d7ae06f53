import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './services.js';

/**
 * A redis-server this test owns, on its own loopback port, in a temporary directory: a test can restart
 * it, kill it or give it settings (an evicting policy, a renamed CONFIG) without touching the shared Redis
 * other test files use. Without persistence unless the arguments ask for it.
 */
export class TestRedisServer {
  readonly port: number;
  readonly #args: readonly string[];
  readonly #directory: string;
  #process: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number, args: readonly string[], directory: string) {
    this.port = port;
    this.#args = args;
    this.#directory = directory;
  }

  /** Starts a server and resolves once it accepts connections. `args` are redis-server options. */
  static async start(args: readonly string[] = []): Promise<TestRedisServer> {
    const directory = await mkdtemp(join(tmpdir(), 'dgc-test-redis-'));
    const server = new TestRedisServer(await freePort(), args, directory);
    await server.#launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Kills the server (SIGKILL: no save, no goodbye to clients) and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#launch();
  }

  async kill(): Promise<void> {
    this.#process?.kill('SIGKILL');
    await this.#exited;
    this.#process = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.#directory, { recursive: true, force: true });
  }

  #launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.#directory,
        '--save',
        '',
        '--appendonly',
        'no',
        '--logfile',
        '',
        ...this.#args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const output: string[] = [];
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`redis-server on port ${this.port} exited (${code}):\n${output.join('\n')}`));
      child.once('exit', onExit);
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          output.push(line);
          if (line.includes('Ready to accept connections')) {
            child.off('exit', onExit);
            resolve();
          }
        });
      }
    });
  }
}
