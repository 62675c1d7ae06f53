import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { pollUntil } from './poll-until.js';

const run = promisify(execFile);

/** Redis Cluster talks between nodes on the client port + 10000 (the cluster bus). */
const busOffset = 10_000;

export interface LocalRedisClusterOptions {
  /** Primaries (at least 3, Redis Cluster's minimum). */
  primaries?: number;
  /** Replicas per primary. */
  replicasPerPrimary?: number;
  /** More `redis-server` options for every node. */
  serverArgs?: readonly string[];
}

/** Whether a loopback port can be listened on now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A client port whose cluster-bus port (+10000) is free as well. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await freePort();
    if (port + busOffset > 65_535 || taken.has(port) || taken.has(port + busOffset)) continue;
    if (await portIsFree(port + busOffset)) return port;
  }
  throw new Error('no loopback port pair (port, port + 10000) free for a Redis Cluster node');
}

/**
 * A Redis Cluster this test or benchmark owns: `primaries` × (1 + `replicasPerPrimary`) `redis-server`
 * processes on free loopback ports, each in its own folder of one temporary directory, joined by
 * `redis-cli --cluster create`. Without persistence unless `serverArgs` asks for it. `stop()` kills every
 * node and removes the directory.
 */
export class LocalRedisCluster {
  readonly ports: readonly number[];
  readonly #directory: string;
  readonly #nodes: ChildProcess[] = [];

  private constructor(ports: readonly number[], directory: string) {
    this.ports = ports;
    this.#directory = directory;
  }

  static async start(options: LocalRedisClusterOptions = {}): Promise<LocalRedisCluster> {
    const primaries = options.primaries ?? 3;
    const replicas = options.replicasPerPrimary ?? 1;
    if (primaries < 3) throw new Error('a Redis Cluster needs at least 3 primaries');
    const taken = new Set<number>();
    const ports: number[] = [];
    for (let index = 0; index < primaries * (1 + replicas); index += 1) {
      const port = await clusterPort(taken);
      taken.add(port).add(port + busOffset);
      ports.push(port);
    }
    const cluster = new LocalRedisCluster(ports, await mkdtemp(join(tmpdir(), 'dgc-redis-cluster-')));
    try {
      await Promise.all(ports.map((port) => cluster.#launch(port, options.serverArgs ?? [])));
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...cluster.addresses,
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        { timeout: 60_000 },
      );
      await cluster.#waitUntilServing();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** `host:port` of every node, primaries and replicas. */
  get addresses(): string[] {
    return this.ports.map((port) => `127.0.0.1:${port}`);
  }

  /** The value of `REDIS_CLUSTER_NODES` that reaches this cluster. */
  get nodesVariable(): string {
    return this.addresses.join(',');
  }

  /** Process ids of every node, for CPU figures. */
  get pids(): number[] {
    return this.#nodes.map((node) => node.pid ?? 0).filter((pid) => pid > 0);
  }

  /** `redis-cli` against one node (e.g. `CLUSTER INFO`), its reply as text. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
      timeout: 10_000,
    });
    return stdout;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.exitCode !== null || node.signalCode !== null) return resolve();
            node.once('exit', () => resolve());
            node.kill('SIGKILL');
          }),
      ),
    );
    await rm(this.#directory, { recursive: true, force: true });
  }

  /** Every node sees all slots served (`cluster_state:ok`) and every replica has its primary's data link. */
  async #waitUntilServing(): Promise<void> {
    await pollUntil(
      'Redis Cluster serving all slots on every node',
      30_000,
      async () => {
        const infos = await Promise.all(this.ports.map((port) => this.cli(port, 'CLUSTER', 'INFO')));
        return infos.every((info) => info.includes('cluster_state:ok')) ? true : undefined;
      },
      100,
    );
    await pollUntil(
      'Redis Cluster replicas linked to their primaries',
      30_000,
      async () => {
        const roles = await Promise.all(this.ports.map((port) => this.cli(port, 'INFO', 'replication')));
        const linked = roles.every(
          (info) => info.includes('role:master') || info.includes('master_link_status:up'),
        );
        return linked ? true : undefined;
      },
      100,
    );
  }

  async #launch(port: number, serverArgs: readonly string[]): Promise<void> {
    const directory = join(this.#directory, String(port));
    await mkdir(directory);
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        directory,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '3000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--logfile',
        '',
        ...serverArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#nodes.push(child);
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`redis-server on port ${port} exited (${code}):\n${output.join('\n')}`));
      child.once('exit', onExit);
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          if (output.length < 200) output.push(line);
          if (line.includes('Ready to accept connections')) {
            child.off('exit', onExit);
            resolve();
          }
        });
      }
    });
  }
}
