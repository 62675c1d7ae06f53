/**
 * `npm run db:migrate`: applies the runtime's migrations and then the bot's (WORKER_BOT_MODULE, default
 * the example bot) to $DATABASE_URL, offline (Prisma's schema engine as WebAssembly).
 */
import { resolve } from 'node:path';
import { loadConfigOrExit } from '@dgc/shared';
import { migrationToolEnvSchema } from '@dgc/shared/db';
import { migrateDatabase } from './bot/migrate-database.js';

const databaseUrl = loadConfigOrExit('db:migrate', migrationToolEnvSchema).DATABASE_URL;
// `npm run … --workspace` runs this in apps/worker; a relative WORKER_BOT_MODULE means where npm was invoked.
const botModule = process.env.WORKER_BOT_MODULE
  ? resolve(process.env.INIT_CWD ?? process.cwd(), process.env.WORKER_BOT_MODULE)
  : undefined;
try {
  const applied = await migrateDatabase(databaseUrl, botModule);
  const names = [...applied.runtime, ...applied.bot];
  console.log(names.length === 0 ? 'database is up to date' : `applied: ${names.join(', ')}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
