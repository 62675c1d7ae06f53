import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { adminDatabaseUrl, databaseUrlOn } from '../db/admin-url.js';
import { applyMigrations, type MigrationSource } from '../db/migrations.js';
import { howToStartPostgres } from '../services/check-services.js';
import { ServiceUnreachableError, withoutPassword } from '../services/service-unreachable-error.js';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Disconnects whoever is still connected and removes the database; safe to call twice. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply the committed migrations (default). `false` leaves it empty, e.g. to test migrating itself. */
  migrate?: boolean;
  /**
   * More migration histories to apply after the runtime's, in order: a bot's own tables (see
   * `botMigrationSource` in `@dgc/bot-sdk/runtime`), as `npm run db:migrate` does.
   */
  extraMigrations?: readonly MigrationSource[];
}

/**
 * A fresh database (`dgc_<label>_<random>`) on the server at $TEST_DATABASE_ADMIN_URL, with every
 * migration applied, so test files run in parallel without sharing rows.
 */
export async function createTestDatabase(
  label: string,
  { migrate = true, extraMigrations = [] }: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const admin = adminDatabaseUrl();
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `dgc_${safeLabel}_${randomBytes(4).toString('hex')}`;
  const url = databaseUrlOn(admin, name);
  await runAdminStatement(admin, `create database ${pg.escapeIdentifier(name)}`);
  const drop = () =>
    runAdminStatement(admin, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  try {
    if (migrate) {
      await applyMigrations(url);
      for (const source of extraMigrations) await applyMigrations(url, source);
    }
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { url, drop };
}

async function runAdminStatement(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new ServiceUnreachableError('PostgreSQL', withoutPassword(adminUrl), howToStartPostgres, {
      cause: error,
    });
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
