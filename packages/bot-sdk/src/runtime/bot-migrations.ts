import { applyMigrations, type MigrationSource } from '@dgc/shared/db';
import type { BotDatabase } from '../bot/define-database.js';

/** Where a bot's schema and migrations are, and the PostgreSQL schema that keeps its history. */
export function botMigrationSource(database: BotDatabase): MigrationSource {
  return {
    schemaFile: database.prismaSchema,
    migrationsDir: database.migrationsDir,
    historySchema: database.schemaName,
  };
}

/**
 * Applies a bot's pending migrations (after the runtime's, which its statements may refer to) and records
 * them in `<schemaName>._prisma_migrations`. Returns the names it applied.
 */
export function applyBotMigrations(databaseUrl: string, database: BotDatabase): Promise<string[]> {
  return applyMigrations(databaseUrl, botMigrationSource(database));
}
