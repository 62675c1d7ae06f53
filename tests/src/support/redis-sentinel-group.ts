import { pollUntil } from '@dgc/dev-tools/testing';
import type { RedisTarget } from '@dgc/shared';
import { Redis } from 'ioredis';
import { TestRedisServer } from './redis-server.js';

const name = 'dgc-test';

/**
 * A Sentinel deployment of the test's own: one primary, one replica and three Sentinels (quorum 2) on
 * loopback ports, tuned to fail over within seconds (the primary is down after 1 s unanswered).
 */
export class SentinelGroup {
  readonly primary: TestRedisServer;
  readonly replica: TestRedisServer;
  readonly sentinels: readonly TestRedisServer[];

  private constructor(primary: TestRedisServer, replica: TestRedisServer, sentinels: TestRedisServer[]) {
    this.primary = primary;
    this.replica = replica;
    this.sentinels = sentinels;
  }

  /** Starts the servers and resolves once every Sentinel knows the replica and the other Sentinels. */
  static async start(config: readonly string[] = []): Promise<SentinelGroup> {
    const primary = await TestRedisServer.start({ config });
    const replica = await TestRedisServer.start({
      config: [...config, `replicaof 127.0.0.1 ${primary.port}`],
    });
    const sentinels = await Promise.all(
      [0, 1, 2].map(() =>
        TestRedisServer.start({
          sentinel: true,
          config: [
            `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
            `sentinel down-after-milliseconds ${name} 1000`,
            `sentinel failover-timeout ${name} 10000`,
            `sentinel parallel-syncs ${name} 1`,
          ],
        }),
      ),
    );
    const group = new SentinelGroup(primary, replica, sentinels);
    // Sentinels learn of replicas from the primary's INFO (every 10 s at first) and of each other
    // through hello messages: a failover before that would find no replica to promote.
    await pollUntil(
      'every Sentinel knows the replica and the other Sentinels',
      30_000,
      async () => ((await group.#everySentinelSeesTheGroup()) ? true : undefined),
      250,
    );
    return group;
  }

  /** The target processes are given (REDIS_SENTINELS / REDIS_SENTINEL_NAME). */
  get target(): RedisTarget {
    return {
      kind: 'sentinel',
      name,
      sentinels: this.sentinels.map(({ port }) => ({ host: '127.0.0.1', port })),
    };
  }

  get env(): NodeJS.ProcessEnv {
    return {
      REDIS_SENTINELS: this.sentinels.map(({ port }) => `127.0.0.1:${port}`).join(','),
      REDIS_SENTINEL_NAME: name,
    };
  }

  /**
   * Resolves with the time a Sentinel announces `+switch-master` (the replica promoted). Subscribe before
   * killing the primary.
   */
  async switchMaster(): Promise<{ at: Promise<number>; close: () => void }> {
    const [first] = this.sentinels;
    if (!first) throw new Error('no Sentinel');
    const subscriber = new Redis({ host: '127.0.0.1', port: first.port, lazyConnect: true });
    subscriber.on('error', () => {});
    await subscriber.connect();
    await subscriber.subscribe('+switch-master');
    const at = new Promise<number>((resolve) => subscriber.once('message', () => resolve(Date.now())));
    return { at, close: () => subscriber.disconnect() };
  }

  async stop(): Promise<void> {
    await Promise.all([this.primary, this.replica, ...this.sentinels].map((server) => server.stop()));
  }

  async #everySentinelSeesTheGroup(): Promise<boolean> {
    const answers = await Promise.all(
      this.sentinels.map(async ({ port }) => {
        const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
        client.on('error', () => {});
        try {
          await client.connect();
          const replicas = (await client.call('SENTINEL', 'REPLICAS', name)) as string[][];
          const others = (await client.call('SENTINEL', 'SENTINELS', name)) as unknown[];
          const linkUp = replicas.some((fields) => {
            const flags = fields[fields.indexOf('flags') + 1] ?? '';
            const link = fields[fields.indexOf('master-link-status') + 1];
            return !flags.includes('down') && link === 'ok';
          });
          return linkUp && others.length === 2;
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      }),
    );
    return answers.every(Boolean);
  }
}
