/**
 * Offline migrations (this machine cannot download Prisma's native engine; see src/db/schema-engine.ts):
 *   apply       brings $DATABASE_URL up to date, creating the database if the server lacks it
 *   new <name>  writes a migration for the schema's changes (refuses when there are none)
 *   check       exits 1 when the schema and the migrations disagree
 * `new` and `check` replay the migrations into a temporary shadow database on the server at
 * $TEST_DATABASE_ADMIN_URL (default: the local `postgres` database).
 * `--schema <file>` (before the command) works on another Prisma schema, e.g. a bot's, and the `migrations`
 * folder beside it; `apply` here applies the runtime's migrations only (the worker's `db:migrate` applies
 * the runtime's and then the bot's).
 */
import { dirname, join, resolve } from 'node:path';
import { loadConfigOrExit } from '../src/config/load-config.js';
import {
  applyMigrations,
  createMigration,
  ensureDatabaseExists,
  migrationToolEnvSchema,
  schemaDrift,
} from '../src/db/index.js';

const databaseUrl = loadConfigOrExit('db:migrate', migrationToolEnvSchema).DATABASE_URL;
let args = process.argv.slice(2);
let source: { schemaFile?: string; migrationsDir?: string } = {};
if (args[0] === '--schema' && args[1]) {
  const schemaFile = resolve(args[1]);
  source = { schemaFile, migrationsDir: join(dirname(schemaFile), 'migrations') };
  args = args.slice(2);
}
const [command, ...nameWords] = args;
// `npm run db:new-migration -- add xp` arrives as two words; the name is all of them.
const name = nameWords.join(' ');

try {
  switch (command) {
    case 'apply': {
      if ('schemaFile' in source) {
        throw new Error(
          "a bot's migrations are applied by the root `npm run db:migrate`, after the runtime's",
        );
      }
      await ensureDatabaseExists(databaseUrl);
      const applied = await applyMigrations(databaseUrl);
      console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      break;
    }
    case 'new': {
      if (!name) throw new Error('usage: npm run db:new-migration -- <name>');
      console.log(`wrote ${await createMigration(name, source)}/migration.sql`);
      break;
    }
    case 'check': {
      const drift = await schemaDrift(source);
      if (drift !== '') {
        console.error(`the schema differs from the migrations; run db:new-migration. Missing SQL:\n${drift}`);
        process.exitCode = 1;
      } else console.log('schema and migrations agree');
      break;
    }
    default:
      throw new Error('usage: migrate.ts apply | new <name> | check');
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
