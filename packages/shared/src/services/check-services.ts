import pg from 'pg';
import { createRedisConnection } from '../redis/redis-connection.js';
import { describeRedisTarget, type RedisTarget } from '../redis/redis-target.js';
import { ServiceUnreachableError, withoutPassword } from './service-unreachable-error.js';

export const howToStartRedis =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no';
export const howToStartPostgres = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** Fails fast (no reconnect loop) when Redis cannot answer a PING within `timeoutMs`. */
export async function assertRedisReachable(target: RedisTarget, timeoutMs = 2_000): Promise<void> {
  const redis = createRedisConnection({
    target,
    connectionName: 'preflight',
    overrides: {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    },
  });
  // ioredis rejects connect() with a generic "Connection is closed"; the socket error says why.
  let socketError: Error | undefined;
  redis.on('error', (error: Error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new ServiceUnreachableError('Redis', describeRedisTarget(target), howToStartRedis, {
      cause: socketError ?? error,
    });
  } finally {
    redis.disconnect();
  }
}
/** Fails fast when PostgreSQL does not accept a connection within `timeoutMs`. */
export async function assertPostgresReachable(url: string, timeoutMs = 2_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new ServiceUnreachableError('PostgreSQL', withoutPassword(url), howToStartPostgres, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
}
