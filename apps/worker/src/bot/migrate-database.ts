import { applyBotMigrations, botModuleLocation, importBotModule } from '@dgc/bot-sdk/runtime';
import { applyMigrations, ensureDatabaseExists } from '@dgc/shared/db';

export interface AppliedMigrations {
  runtime: string[];
  /** Empty when the bot declares no tables. */
  bot: string[];
}

/**
 * Brings `databaseUrl` up to date for this deployment: creates the database when missing, applies the
 * runtime's migrations, then those of the bot (WORKER_BOT_MODULE, default the example bot), whose
 * statements may refer to the runtime's tables.
 */
export async function migrateDatabase(
  databaseUrl: string,
  botModule: string | undefined = process.env.WORKER_BOT_MODULE || undefined,
): Promise<AppliedMigrations> {
  await ensureDatabaseExists(databaseUrl);
  const runtime = await applyMigrations(databaseUrl);
  const { database } = await importBotModule(botModuleLocation(botModule));
  const bot = database ? await applyBotMigrations(databaseUrl, database) : [];
  return { runtime, bot };
}
