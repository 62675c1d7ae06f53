import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { assertPostgresReachable } from '../services/check-services.js';
import { ServiceUnreachableError, withoutPassword } from '../services/service-unreachable-error.js';
import { adminDatabaseUrl } from './admin-url.js';
import { MigrationError } from './migration-error.js';
import { ensureLockfile, migrationSlug, readMigrationList, writeMigration } from './migration-files.js';
import { migrationsDir, schemaPath } from './prisma-paths.js';
import { openSchemaEngine } from './schema-engine.js';

/** Where the schema and the migrations are read from; the committed ones unless a test says otherwise. */
export interface MigrationSource {
  /** A Prisma schema file; defaults to `packages/shared/prisma/schema.prisma`. */
  schemaFile?: string;
  /** A folder of `<timestamp>_<name>/migration.sql`; defaults to `packages/shared/prisma/migrations`. */
  migrationsDir?: string;
  /**
   * The PostgreSQL schema holding this history's `_prisma_migrations` table; defaults to `public` (the
   * runtime's). A bot's tables and history live in a schema of their own, so the two histories never mix.
   */
  historySchema?: string;
}

export type ApplyMigrationsOptions = MigrationSource;

export interface SchemaDriftOptions extends MigrationSource {
  /**
   * Any existing database on the server that will host the temporary shadow database Prisma replays the
   * migrations into. Defaults to `adminDatabaseUrl()` ($TEST_DATABASE_ADMIN_URL or the local `postgres`).
   */
  serverUrl?: string;
}

export type CreateMigrationOptions = SchemaDriftOptions;

const noFilters = { externalTables: [], externalEnums: [] };
const reachabilityTimeoutMs = 3_000;

/**
 * Applies pending migrations to `databaseUrl` and records them in `_prisma_migrations` exactly as
 * `prisma migrate deploy` does, so a machine with the native engine can take over the same history.
 * Concurrent callers (several processes starting at once) are serialised by the engine itself: like the
 * native engine it holds PostgreSQL advisory lock 72707369 while it reads the history and applies.
 * Returns the names of the migrations it applied; `[]` when the database was up to date.
 */
export async function applyMigrations(
  databaseUrl: string,
  options: ApplyMigrationsOptions = {},
): Promise<string[]> {
  await assertPostgresReachable(databaseUrl, reachabilityTimeoutMs);
  try {
    if (options.historySchema) await createSchemaIfMissing(databaseUrl, options.historySchema);
    const { engine, close } = await openSchemaEngine(databaseUrl, await readSchema(options), {
      historySchema: options.historySchema,
    });
    try {
      const result = await engine.applyMigrations({
        migrationsList: await readMigrationList(options.migrationsDir ?? migrationsDir),
        filters: noFilters,
      });
      return result.appliedMigrationNames;
    } finally {
      await close();
    }
  } catch (error) {
    throw asMigrationError(error, `applying migrations to ${withoutPassword(databaseUrl)} failed`);
  }
}

/**
 * The SQL that takes a database from the migrations to the schema; empty when they agree. Prisma computes
 * it by replaying the migrations into a temporary shadow database, hence the need for a server.
 */
export async function schemaDrift(options: SchemaDriftOptions = {}): Promise<string> {
  const serverUrl = options.serverUrl ?? adminDatabaseUrl();
  await assertPostgresReachable(serverUrl, reachabilityTimeoutMs);
  try {
    const schema = await readSchema(options);
    // No history schema here: a diff writes no history, and with one the engine would leave that schema's
    // name out of the SQL it writes (migrations stay schema-qualified, whatever the search_path).
    const { engine, close } = await openSchemaEngine(serverUrl, schema);
    try {
      const result = await engine.diff({
        from: { tag: 'migrations', ...(await readMigrationList(options.migrationsDir ?? migrationsDir)) },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: noFilters,
      });
      return withoutEmptyMarker(result.stdout ?? '');
    } finally {
      await close();
    }
  } catch (error) {
    throw asMigrationError(error, 'computing the difference between the migrations and the schema failed');
  }
}

/**
 * Writes the schema's unmigrated changes as `<timestamp>_<name>/migration.sql` and returns that folder.
 * Refuses (MigrationError) when the schema has no change the migrations lack.
 */
export async function createMigration(name: string, options: CreateMigrationOptions = {}): Promise<string> {
  const slug = migrationSlug(name);
  const directory = options.migrationsDir ?? migrationsDir;
  await ensureLockfile(directory);
  const sql = await schemaDrift({ ...options, migrationsDir: directory });
  if (sql === '') throw new MigrationError('the schema matches the migrations: no migration to write');
  return writeMigration(directory, slug, sql);
}

/** The engine creates its history table in the connection's schema, which must exist first. */
async function createSchemaIfMissing(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(`create schema if not exists ${pg.escapeIdentifier(schema)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

async function readSchema(source: MigrationSource) {
  const path = source.schemaFile ?? schemaPath;
  try {
    return { path, content: await readFile(path, 'utf8') };
  } catch (error) {
    throw new MigrationError(`cannot read the Prisma schema ${path}`, { cause: error });
  }
}

/** The engine answers "-- This is an empty migration." when there is nothing to do. */
function withoutEmptyMarker(script: string): string {
  const meaningful = script
    .split('\n')
    .filter((line) => line.trim() !== '' && line.trim() !== '-- This is an empty migration.');
  return meaningful.length === 0 ? '' : script.trim();
}

function asMigrationError(error: unknown, context: string): Error {
  if (error instanceof MigrationError || error instanceof ServiceUnreachableError) return error;
  return new MigrationError(`${context}: ${messageOf(error)}`, { cause: error });
}

/** The wasm engine rejects with plain objects as well as Errors. */
function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
