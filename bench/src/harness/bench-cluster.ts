import { randomUUID } from 'node:crypto';
import {
  type AppKind,
  launchApp,
  launchScript,
  type ManagedProcess,
  startApp,
  stopProcesses,
  waitUntilLogged,
} from '@dgc/dev-tools/supervision';
import {
  createTestDatabase,
  type LocalRedisCluster,
  pollUntil,
  type TestDatabase,
} from '@dgc/dev-tools/testing';
import { DiscordSimulator, type SimulatorOptions } from '@dgc/discord-simulator';
import { createRedisConnection, type Redis, singleRedis, unlinkKeysMatching } from '@dgc/shared';
import { applyMigrations } from '@dgc/shared/db';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const token = 'YmVuY2htYXJrLWJvdA.bench.e2e-benchmark-token-local-only';
export const benchBotModule = 'bench/src/fixtures/counting-bot.ts';

export type BaselineMode = 'naive' | 'brokers';

/**
 * One benchmark run's world: a simulator, a Redis key prefix and a database of its own, and the processes
 * it starts; `close` stops them and removes every key and the database, so scenarios leave nothing behind.
 */
export class BenchCluster {
  readonly simulator: DiscordSimulator;
  readonly keyPrefix: string;
  readonly redis: Redis;
  readonly env: NodeJS.ProcessEnv;
  readonly processes: ManagedProcess[] = [];
  /** The Redis Cluster the run uses instead of the single Redis at `redisUrl`, if any. */
  readonly redisCluster: LocalRedisCluster | undefined;
  readonly #database: TestDatabase | undefined;

  private constructor(
    simulator: DiscordSimulator,
    shardCount: number,
    keyPrefix: string,
    database: TestDatabase | undefined,
    redisCluster: LocalRedisCluster | undefined,
  ) {
    this.simulator = simulator;
    this.keyPrefix = keyPrefix;
    this.#database = database;
    this.redisCluster = redisCluster;
    this.redis = createRedisConnection({
      target: redisCluster
        ? { kind: 'cluster', nodes: redisCluster.ports.map((port) => ({ host: '127.0.0.1', port })) }
        : singleRedis(redisUrl),
      connectionName: 'bench',
    });
    this.env = {
      REDIS_URL: redisUrl,
      ...(redisCluster ? { REDIS_CLUSTER_NODES: redisCluster.nodesVariable } : {}),
      REDIS_KEY_PREFIX: keyPrefix,
      DISCORD_TOKEN: token,
      DISCORD_API_URL: simulator.restUrl,
      GATEWAY_SHARD_COUNT: String(shardCount),
      // The simulator shares the machine's cores with every process: transport compression on both ends
      // would measure zlib, not the event path (the ingest scenario measures it separately).
      GATEWAY_COMPRESSION: 'none',
      WORKER_BOT_MODULE: benchBotModule,
      ...(database ? { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '4' } : {}),
    };
  }

  static async start(
    label: string,
    simulatorOptions: Partial<SimulatorOptions>,
    {
      database = true,
      redisCluster,
    }: {
      database?: boolean;
      /** Run on this Redis Cluster (the caller starts and stops it) instead of the single Redis. */
      redisCluster?: LocalRedisCluster;
    } = {},
  ): Promise<BenchCluster> {
    // No ledger: benchmarks count what they need, and a growing record of every dispatch would add the
    // simulator's garbage collection to the figures.
    const options = {
      token,
      shardCount: 4,
      guildCount: 40,
      seed: 7,
      dispatchLedgerCapacity: 0,
      ...simulatorOptions,
    };
    const [simulator, db] = await Promise.all([
      DiscordSimulator.start(options),
      database
        ? createTestDatabase(`bench_${label}`, { schema: { apply: applyMigrations } })
        : Promise.resolve(undefined),
    ]);
    return new BenchCluster(
      simulator,
      options.shardCount,
      `bench:${label}:${randomUUID().slice(0, 8)}`,
      db,
      redisCluster,
    );
  }

  /** Starts an app with the cluster's environment and waits for its ready line. */
  async startApp(kind: AppKind, extraEnv: NodeJS.ProcessEnv = {}, name: string = kind, timeoutMs = 90_000) {
    const service = await startApp(kind, { ...this.env, ...extraEnv }, name, timeoutMs);
    this.processes.push(service);
    return service;
  }

  /** Launches an app without waiting for it, for starts that must begin together. */
  launchApp(kind: AppKind, extraEnv: NodeJS.ProcessEnv = {}, name: string = kind) {
    const service = launchApp(kind, { ...this.env, ...extraEnv }, name);
    this.processes.push(service);
    return service;
  }

  /** Starts a baseline gateway or consumer (bench/src/baselines) and waits for its ready line. */
  async startBaseline(role: 'gateway' | 'consumer', mode: BaselineMode, name: string) {
    const service = launchScript(
      `bench/src/baselines/baseline-${role}.ts`,
      { ...this.env, BASELINE: mode },
      name,
    );
    this.processes.push(service);
    return waitUntilLogged(service, `baseline ${role} ready`, 60_000);
  }

  /** The events the bench bot (or a baseline consumer) has counted so far. */
  async counted(): Promise<number> {
    return Number((await this.redis.get(`${this.keyPrefix}:count:MESSAGE_CREATE`)) ?? 0);
  }

  /** Resolves with the time (performance.now) at which the counter reached `target`. */
  waitForCount(target: number, timeoutMs: number): Promise<number> {
    return pollUntil(`counting ${target} events`, timeoutMs, async () =>
      (await this.counted()) >= target ? performance.now() : undefined,
    );
  }

  async close(): Promise<void> {
    await stopProcesses(this.processes, 20_000);
    await this.simulator.stop();
    await unlinkKeysMatching(this.redis, `${this.keyPrefix}*`);
    await this.redis.quit();
    await this.#database?.drop();
  }
}

/** Sends MESSAGE_CREATE at `perSecond` for as long as `events` take; resolves with the traffic report. */
export async function generateMessages(simulator: DiscordSimulator, events: number, perSecond: number) {
  const traffic = simulator.startTraffic({ eventsPerSecond: perSecond, mix: { MESSAGE_CREATE: 1 } });
  await new Promise((resolve) => setTimeout(resolve, (events / perSecond) * 1_000));
  return traffic.stop();
}

export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)] ?? Number.NaN;
}
