export type { HandledEvent, ScheduledJobRun } from '../generated/prisma/client.js';
export { Prisma, PrismaClient } from '../generated/prisma/client.js';
export { adminDatabaseUrl, databaseUrlOn } from './admin-url.js';
export { ensureDatabaseExists } from './ensure-database.js';
export { type JobHistory, type PeriodicJobRunView, readJobHistory } from './job-history.js';
export { MigrationError } from './migration-error.js';
export { migrationToolEnvSchema } from './migration-tool-env.js';
export {
  type ApplyMigrationsOptions,
  applyMigrations,
  type CreateMigrationOptions,
  createMigration,
  type MigrationSource,
  type SchemaDriftOptions,
  schemaDrift,
} from './migrations.js';
export { createPrismaClient, type PrismaClientSettings } from './prisma-client.js';
export { migrationsDir, schemaPath } from './prisma-paths.js';
