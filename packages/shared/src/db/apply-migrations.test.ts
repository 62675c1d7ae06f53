import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceUnreachableError } from '../services/service-unreachable-error.js';
import { applyMigrations, schemaDrift } from './migrations.js';

async function migrationHistory(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select migration_name, finished_at is not null as finished, rolled_back_at, applied_steps_count from _prisma_migrations order by migration_name',
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('applyMigrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('apply_migrations');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('applies every migration once when two callers race on an empty database', async () => {
    const results = await Promise.all([applyMigrations(database.url), applyMigrations(database.url)]);

    expect(results.flat()).toEqual([
      '20261124195036_init',
      '20261206111700_member_activity_leaves_runtime_schema',
      '20261206115243_delayed_jobs_and_run_attempts',
      '20261206160000_scheduled_job_run_job_id',
    ]);
    expect(results).toContainEqual([]);
    // What `prisma migrate deploy` records, so the native CLI can take over this history.
    expect(await migrationHistory(database.url)).toEqual([
      { migration_name: '20261124195036_init', finished: true, rolled_back_at: null, applied_steps_count: 1 },
      {
        migration_name: '20261206111700_member_activity_leaves_runtime_schema',
        finished: true,
        rolled_back_at: null,
        applied_steps_count: 1,
      },
      {
        migration_name: '20261206115243_delayed_jobs_and_run_attempts',
        finished: true,
        rolled_back_at: null,
        applied_steps_count: 1,
      },
      {
        migration_name: '20261206160000_scheduled_job_run_job_id',
        finished: true,
        rolled_back_at: null,
        applied_steps_count: 1,
      },
    ]);
  });

  it('is a no-op on an up-to-date database', async () => {
    expect(await applyMigrations(database.url)).toEqual([]);
    expect(await migrationHistory(database.url)).toHaveLength(4);
  });

  it('names the URL, without its password, and how to start PostgreSQL when the server is down', async () => {
    const unreachable = 'postgresql://postgres:hunter2@127.0.0.1:1/nowhere';
    const attempts = [() => applyMigrations(unreachable), () => schemaDrift({ serverUrl: unreachable })];
    for (const attempt of attempts) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ServiceUnreachableError);
      expect((error as Error).message).toContain('postgresql://postgres:***@127.0.0.1:1/nowhere');
      expect((error as Error).message).toContain('pg_ctlcluster --skip-systemctl-redirect');
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
