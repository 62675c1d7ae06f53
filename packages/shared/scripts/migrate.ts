/**
 * Offline migrations: `apply` brings $DATABASE_URL up to date; `new <name>` writes a migration for the
 * schema's changes; `check` exits 1 when the schema and the migrations disagree. The server at
 * $DATABASE_URL hosts the temporary shadow database `new` and `check` need.
 */
import { applyMigrations, createMigration, schemaDrift } from '../src/db/index.js';

const databaseUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/dgc_local';
const [command, name] = process.argv.slice(2);

try {
  switch (command) {
    case 'apply': {
      const applied = await applyMigrations(databaseUrl);
      console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      break;
    }
    case 'new': {
      if (!name) throw new Error('usage: db:new-migration -- <name>');
      console.log(`wrote ${await createMigration(databaseUrl, name)}`);
      break;
    }
    case 'check': {
      const drift = await schemaDrift(databaseUrl);
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
// The WebAssembly engine leaves a timer behind for a few seconds; a CLI has nothing left to wait for.
process.exit();
