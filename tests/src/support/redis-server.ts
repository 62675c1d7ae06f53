import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './services.js';

export interface TestRedisServerOptions {
  /** redis.conf lines on top of the defaults (no persistence), e.g. `maxmemory-policy allkeys-lru`. */
  config?: readonly string[];
  /** `requirepass`: written to the configuration file, never on a command line. */
  password?: string;
  /** Runs a Sentinel (`redis-server <file> --sentinel`) instead of a data server. */
  sentinel?: boolean;
}

/**
 * A redis-server (or Sentinel) this test owns, on its own loopback port, in a temporary directory: a test
 * can restart it, kill it, pause it or give it settings (an evicting policy, a renamed CONFIG, AOF, a
 * password) without touching the shared Redis other test files use. The configuration is a file in that
 * directory, so a password stays off the command line and a Sentinel can rewrite its own file. Without
 * persistence unless the configuration asks for it; a restart keeps the directory, so AOF survives it.
 */
export class TestRedisServer {
  readonly port: number;
  readonly #options: TestRedisServerOptions;
  readonly #directory: string;
  #process: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number, options: TestRedisServerOptions, directory: string) {
    this.port = port;
    this.#options = options;
    this.#directory = directory;
  }

  /** Starts a server and resolves once it accepts connections. */
  static async start(options: TestRedisServerOptions = {}): Promise<TestRedisServer> {
    const directory = await mkdtemp(join(tmpdir(), 'dgc-test-redis-'));
    const server = new TestRedisServer(await freePort(), options, directory);
    await writeFile(server.#configFile, server.#configuration(), { mode: 0o600 });
    await server.#launch();
    return server;
  }

  /** The URL clients use (with the password, as the default user, when there is one). */
  get url(): string {
    const { password } = this.#options;
    const user = password ? `default:${encodeURIComponent(password)}@` : '';
    return `redis://${user}127.0.0.1:${this.port}`;
  }

  /** The operating system's process id, for signals a test sends itself. */
  get pid(): number | undefined {
    return this.#process?.pid;
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

  /** SIGSTOP: the server holds its connections but answers nothing, as a frozen VM or a long fork would. */
  pause(): void {
    this.#process?.kill('SIGSTOP');
  }

  resume(): void {
    this.#process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    await rm(this.#directory, { recursive: true, force: true });
  }

  get #configFile(): string {
    return join(this.#directory, this.#options.sentinel ? 'sentinel.conf' : 'redis.conf');
  }

  #configuration(): string {
    const { config = [], password } = this.#options;
    const base = [`port ${this.port}`, 'bind 127.0.0.1', `dir ${this.#directory}`, 'logfile ""'];
    const persistence = this.#options.sentinel ? [] : ['save ""', 'appendonly no'];
    const auth = password ? [`requirepass "${password}"`] : [];
    return `${[...base, ...persistence, ...auth, ...config].join('\n')}\n`;
  }

  #launch(): Promise<void> {
    const args = [this.#configFile, ...(this.#options.sentinel ? ['--sentinel'] : [])];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
          // A data server says it is ready; a Sentinel says so once it has started monitoring.
          if (line.includes('Ready to accept connections') || line.includes('+monitor master')) {
            child.off('exit', onExit);
            resolve();
          }
        });
      }
    });
  }
}
