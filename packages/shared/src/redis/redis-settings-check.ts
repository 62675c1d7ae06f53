import { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { createRedisConnection, type Redis } from './redis-connection.js';
import { describeRedisTarget, type RedisTarget } from './redis-target.js';

/** EX_CONFIG from sysexits.h: `runService` exits with it, as it does for a bad variable. */
const exitCodeConfig = 78;

/**
 * Redis may evict keys: a lease, a dedupe claim or a queued job would vanish without an error. BullMQ's
 * production guide: `noeviction` is the only policy that guarantees correct behaviour. Fixing it is a
 * change to Redis's configuration, so the process refuses to start (exit 78) rather than lose events later.
 */
export class EvictingRedisError extends Error {
  override readonly name = 'EvictingRedisError';
  readonly exitCode = exitCodeConfig;

  constructor(where: string, policy: string) {
    super(
      `Redis at ${where} has maxmemory-policy ${policy}: it may evict keys (leases, dedupe claims, queued events) under memory pressure. Set maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction, and in redis.conf) and start again.`,
    );
  }
}

/** What one server says about how it keeps data; undefined where CONFIG could not be read. */
interface ServerSettings {
  maxmemoryPolicy: string;
  appendonly: string;
  save: string;
}

/** CONFIG GET, or undefined when CONFIG is disabled or renamed (common on managed Redis). */
async function readSettings(server: Redis): Promise<ServerSettings | undefined> {
  try {
    const reply = (await server.call('CONFIG', 'GET', 'maxmemory-policy', 'appendonly', 'save')) as string[];
    const values = new Map<string, string>();
    for (let index = 0; index + 1 < reply.length; index += 2)
      values.set(String(reply[index]), String(reply[index + 1]));
    return {
      maxmemoryPolicy: values.get('maxmemory-policy') ?? 'unknown',
      appendonly: values.get('appendonly') ?? 'unknown',
      save: values.get('save') ?? '',
    };
  } catch (error) {
    const message = (error as Error).message;
    if (/unknown command|NOPERM|no permissions/i.test(message)) return undefined;
    throw error;
  }
}

/**
 * Reads `maxmemory-policy` (and persistence) of every primary at start: throws `EvictingRedisError` when any
 * may evict, warns once when none persists anything (a restart then loses every lane, lease and claim;
 * the cluster recovers, but what Redis held is gone). When CONFIG is disabled or renamed, says so and goes on.
 */
export async function assertRedisKeepsData(target: RedisTarget, logger: Logger): Promise<void> {
  const where = describeRedisTarget(target);
  const redis = createRedisConnection({
    target,
    connectionName: 'preflight:settings',
    overrides: { maxRetriesPerRequest: 1, connectTimeout: 5_000 },
  });
  redis.on('error', () => {});
  try {
    const servers = redis instanceof Cluster ? await primariesOf(redis) : [redis];
    const settings = await Promise.all(servers.map(readSettings));
    if (settings.some((server) => server === undefined)) {
      logger.warn(
        { redis: where },
        'cannot read maxmemory-policy (CONFIG is disabled or renamed): make sure Redis runs with maxmemory-policy noeviction and appendonly yes',
      );
    }
    const known = settings.filter((server): server is ServerSettings => server !== undefined);
    const evicting = known.find((server) => server.maxmemoryPolicy !== 'noeviction');
    if (evicting) throw new EvictingRedisError(where, evicting.maxmemoryPolicy);
    const persistsNothing = known.filter(
      (server) => server.appendonly !== 'yes' && server.save.trim() === '',
    );
    if (persistsNothing.length > 0) {
      logger.warn(
        { redis: where },
        'Redis persists nothing (appendonly no, save ""): a restart loses every queued event, lease and dedupe claim. Set appendonly yes (appendfsync everysec) for production',
      );
    }
  } finally {
    redis.disconnect();
  }
}

/** A Redis Cluster's primaries, once its slots are known. */
async function primariesOf(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Redis Cluster was not ready within 10 s')), 10_000);
      cluster.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return cluster.nodes('master');
}
