import { describe, expect, it } from 'vitest';
import { singleRedis } from '../redis/redis-target.js';
import { assertPostgresReachable, assertRedisReachable } from './check-services.js';
import { ServiceUnreachableError } from './service-unreachable-error.js';

describe('service checks', () => {
  it('names the Redis URL, the reason and how to start Redis when it is unreachable', async () => {
    const error = await assertRedisReachable(singleRedis('redis://:secret@127.0.0.1:1'), 1_000).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect(error.message).toContain('redis://:***@127.0.0.1:1');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('redis-server');
    expect(error.message).not.toContain('secret');
  });

  it('names the PostgreSQL URL and how to start PostgreSQL when it is unreachable', async () => {
    const error = await assertPostgresReachable('postgresql://postgres@127.0.0.1:1/db', 1_000).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect(error.message).toContain('postgresql://postgres@127.0.0.1:1/db');
    expect(error.message).toContain('pg_ctlcluster');
  });

  it('passes when the services answer', async () => {
    await expect(
      assertRedisReachable(singleRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')),
    ).resolves.toBeUndefined();
    await expect(
      assertPostgresReachable(
        process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
      ),
    ).resolves.toBeUndefined();
  });
});
