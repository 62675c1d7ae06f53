import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Disconnects whoever is still connected and removes the database; safe to call twice. */
  drop(): Promise<void>;
}

/** What a new test database receives before it is handed over: the schema, usually. */
export interface TestDatabaseSchema {
  /** Brings the empty database at `databaseUrl` to the schema the test needs. */
  apply(databaseUrl: string): Promise<unknown>;
}

export interface TestDatabaseOptions {
  /**
   * The schema to apply, e.g. `{ apply: applyMigrations }` from `@dgc/shared/db`. None leaves the database
   * empty (to test migrating itself). Passed in because the schema is the application's, and this package
   * depends on no application package (`@dgc/shared`'s own tests use it).
   */
  schema?: TestDatabaseSchema;
}

const howToStartPostgres = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** The PostgreSQL server where test databases are created ($TEST_DATABASE_ADMIN_URL or the local one). */
export function testDatabaseServerUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}

/**
 * A fresh database (`dgc_<label>_<random>`) on the server at $TEST_DATABASE_ADMIN_URL, with the given schema
 * applied, so test files run in parallel without sharing rows.
 */
export async function createTestDatabase(
  label: string,
  { schema }: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const admin = testDatabaseServerUrl();
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `dgc_${safeLabel}_${randomBytes(4).toString('hex')}`;
  const url = new URL(admin);
  url.pathname = `/${encodeURIComponent(name)}`;
  await runAdminStatement(admin, `create database ${pg.escapeIdentifier(name)}`);
  const drop = () =>
    runAdminStatement(admin, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  try {
    await schema?.apply(url.toString());
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { url: url.toString(), drop };
}

async function runAdminStatement(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    const shown = new URL(adminUrl);
    if (shown.password) shown.password = '***';
    throw new Error(
      `PostgreSQL is not reachable at ${shown} (${(error as Error).message}).\nStart it with: ${howToStartPostgres}`,
      { cause: error },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
