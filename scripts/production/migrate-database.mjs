/**
 * The `migrate` role: creates the database if the server lacks it and applies pending migrations, then
 * exits (0 when the database is up to date). Deployments run it once before workers and schedulers start
 * (a Compose service they depend on, a Kubernetes Job). Concurrent runs are safe: the schema engine holds a
 * PostgreSQL advisory lock while it applies.
 */
import { loadConfigOrExit } from '@dgc/shared';
import { applyMigrations, ensureDatabaseExists, migrationToolEnvSchema } from '@dgc/shared/db';

// The schema `npm run db:migrate` reads too, so .env.example documents this role's variables.
const config = loadConfigOrExit('migrate', migrationToolEnvSchema);
try {
  await ensureDatabaseExists(config.DATABASE_URL);
  const applied = await applyMigrations(config.DATABASE_URL);
  process.stdout.write(
    applied.length === 0 ? 'database is up to date\n' : `applied: ${applied.join(', ')}\n`,
  );
} catch (error) {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
