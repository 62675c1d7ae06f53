import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import { createTestDatabase } from '@dgc/dev-tools/testing';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { applyMigrations, createPrismaClient, type PrismaClient } from '@dgc/shared/db';
import { afterAll, beforeAll } from 'vitest';
import { EventsQueueProbe } from './queue-inspection.js';
import { redisUrl, simulatorToken, startService, stopServices, uniqueKeyPrefix } from './services.js';

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

interface WorldParts {
  simulator: DiscordSimulator;
  database: TestDatabase;
  prisma: PrismaClient;
}

export interface SchedulerWorldOptions {
  /** The test's own Prisma pool (default 2). */
  maxConnections?: number;
  /** Runs once the database exists, e.g. to create the tables a fixture bot writes its effects to. */
  setUp?(prisma: PrismaClient): Promise<void>;
}

/**
 * What a test file of scheduler replicas runs against: a simulator (bot jobs call Discord), a database and
 * a Redis key prefix of its own. Set up before the file's tests and removed after them, with every replica
 * started through `startReplicas`.
 */
export class SchedulerWorld {
  readonly #name: string;
  readonly #options: SchedulerWorldOptions;
  #parts: WorldParts | undefined;
  readonly keyPrefix: string;
  /** The replicas started so far, in order: stopped after the file. */
  replicas: ManagedProcess[] = [];

  constructor(name: string, options: SchedulerWorldOptions = {}) {
    this.#name = name;
    this.#options = options;
    this.keyPrefix = uniqueKeyPrefix(name);
    beforeAll(() => this.#setUp());
    afterAll(() => this.#tearDown());
  }

  get simulator(): DiscordSimulator {
    return this.#ready().simulator;
  }

  get database(): TestDatabase {
    return this.#ready().database;
  }

  get prisma(): PrismaClient {
    return this.#ready().prisma;
  }

  /** What every replica is started with: Redis, the database, the simulator; no pruning to get in the way. */
  env(): Record<string, string> {
    return {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: this.keyPrefix,
      DATABASE_URL: this.database.url,
      DISCORD_TOKEN: simulatorToken,
      DISCORD_API_URL: this.simulator.restUrl,
      SCHEDULER_PRUNE_EVERY_MS: String(3_600_000),
    };
  }

  /** Starts one replica per entry of `envs` (named scheduler-a, -b, …), each on `env()` and its entry. */
  async startReplicas(...envs: Record<string, string>[]): Promise<ManagedProcess[]> {
    const started = await Promise.all(
      envs.map((extra, index) =>
        startService(
          'scheduler',
          { ...this.env(), ...extra },
          `scheduler-${String.fromCharCode(97 + this.replicas.length + index)}`,
        ),
      ),
    );
    this.replicas.push(...started);
    return started;
  }

  async #setUp(): Promise<void> {
    const simulator = await DiscordSimulator.start({ token: simulatorToken, shardCount: 1, guildCount: 1 });
    const database = await createTestDatabase(this.#name, { schema: { apply: applyMigrations } });
    const prisma = createPrismaClient({
      databaseUrl: database.url,
      maxConnections: this.#options.maxConnections ?? 2,
    });
    this.#parts = { simulator, database, prisma };
    await this.#options.setUp?.(prisma);
  }

  async #tearDown(): Promise<void> {
    await stopServices(this.replicas);
    await new EventsQueueProbe(this.keyPrefix).removeAndClose();
    const parts = this.#parts;
    if (!parts) return;
    await parts.prisma.$disconnect();
    await parts.database.drop();
    await parts.simulator.stop();
  }

  #ready(): WorldParts {
    if (!this.#parts) throw new Error(`the ${this.#name} scheduler world is used before its set-up ran`);
    return this.#parts;
  }
}
