/**
 * Offline migrations (this machine cannot download Prisma's native engine; see src/db/schema-engine.ts):
 *   apply       brings $DATABASE_URL up to date, creating the database if the server lacks it
 *   new <name>  writes a migration for the schema's changes (refuses when there are none)
 *   check       exits 1 when the schema and the migrations disagree
 * `new` and `check` replay the migrations into a temporary shadow database on the server at
 * $TEST_DATABASE_ADMIN_URL (default: the local `postgres` database).
 */
import { loadConfigOrExit } from '../src/config/load-config.js';
import {
  applyMigrations,
  createMigration,
  ensureDatabaseExists,
  migrationToolEnvSchema,
  schemaDrift,
} from '../src/db/index.js';

const databaseUrl = loadConfigOrExit('db:migrate', migrationToolEnvSchema).DATABASE_URL;
const [command, ...nameWords] = process.argv.slice(2);
// `npm run db:new-migration -- add xp` arrives as two words; the name is all of them.
const name = nameWords.join(' ');

try {
  switch (command) {
    case 'apply': {
      await ensureDatabaseExists(databaseUrl);
      const applied = await applyMigrations(databaseUrl);
      console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      break;
    }
    case 'new': {
      if (!name) throw new Error('usage: npm run db:new-migration -- <name>');
      console.log(`wrote ${await createMigration(name)}/migration.sql`);
      break;
    }
    case 'check': {
      const drift = await schemaDrift();
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
