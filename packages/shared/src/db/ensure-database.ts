import pg from 'pg';
import { assertPostgresReachable } from '../services/check-services.js';
import { ServiceUnreachableError, withoutPassword } from '../services/service-unreachable-error.js';
import { databaseUrlOn } from './admin-url.js';
import { MigrationError } from './migration-error.js';

const invalidCatalogName = '3D000';
const duplicateDatabase = '42P04';

/**
 * Creates the database `databaseUrl` names when the server reports it missing (a fresh machine has no
 * `dgc_local`), through the server's `postgres` database. Throws ServiceUnreachableError when the server
 * itself is down. Safe to race: a concurrent creator wins quietly.
 */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  try {
    await assertPostgresReachable(databaseUrl, 3_000);
    return;
  } catch (error) {
    const missing = error instanceof ServiceUnreachableError && codeOf(error.cause) === invalidCatalogName;
    if (!missing) throw error;
  }
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const client = new pg.Client({ connectionString: databaseUrlOn(databaseUrl, 'postgres') });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
  } catch (error) {
    if (codeOf(error) === duplicateDatabase) return;
    throw new MigrationError(`cannot create database ${withoutPassword(databaseUrl)}`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
