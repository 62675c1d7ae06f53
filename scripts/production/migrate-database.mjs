/**
 * The `migrate` role: creates the database if the server lacks it and applies pending migrations, then
 * exits (0 when the database is up to date). Deployments run it once before workers and schedulers start
 * (a Compose service they depend on, a Kubernetes Job). Concurrent runs are safe: the schema engine holds a
 * PostgreSQL advisory lock while it applies.
 */
import { databaseEnvShape, loadConfigOrExit } from '@dgc/shared';
import { applyMigrations, ensureDatabaseExists } from '@dgc/shared/db';
import { z } from 'zod';

const config = loadConfigOrExit('migrate', z.object(databaseEnvShape));
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
