import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BotDefinition } from '../bot/define-bot.js';
import type { BotDatabase, DatabaseClient } from '../bot/define-database.js';
import { HandlerRegistry } from '../events/handler-registry.js';

export class BotModuleError extends Error {
  override readonly name = 'BotModuleError';
  /** EX_CONFIG: the configured module is wrong, restarting will not help. */
  readonly exitCode = 78;
}

/** The worker's database settings, from which the bot's own client pool is built. */
export interface BotDatabaseSettings {
  databaseUrl: string;
  /** Upper bound of the bot client's pooled connections in this process. */
  maxConnections?: number;
  /** `statement_timeout`: no statement of the bot outlives the job that issued it. */
  statementTimeoutMs?: number;
  /** `lock_timeout`: lock waits give up sooner and the job is retried. */
  lockTimeoutMs?: number;
}

/** A bot whose setup has run: the registry the worker dispatches through, and what to close at shutdown. */
export interface RunningBot {
  readonly registry: HandlerRegistry;
  /** Disconnects the bot's database client, when it has one. */
  close(): Promise<void>;
}

/** A bot module, imported but not started: enough to apply its migrations. */
export interface BotModule {
  /** Where it was loaded from, for messages. */
  readonly location: string;
  /** Its tables, when it declares any (`defineBot(database, setup)`). */
  readonly database: BotDatabase | undefined;
  /** Creates the bot's database client (when it has tables) and runs its setup into a new registry. */
  start(settings?: { database?: BotDatabaseSettings }): Promise<RunningBot>;
}

/**
 * Imports a bot module: a path (relative to the working directory) or a `file:` URL, whose default export
 * is a function (see `defineBot`). Throws BotModuleError when it cannot be loaded or exports no function.
 */
export async function importBotModule(location: string | URL): Promise<BotModule> {
  const url =
    location instanceof URL || location.startsWith('file:')
      ? String(location)
      : pathToFileURL(isAbsolute(location) ? location : resolve(process.cwd(), location)).href;
  const name = `WORKER_BOT_MODULE ${String(location)}`;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new BotModuleError(`${name} could not be loaded`, { cause: error });
  }
  if (typeof loaded.default !== 'function') {
    throw new BotModuleError(`${name} must export a function as default (see defineBot)`);
  }
  const definition = loaded.default as BotDefinition;
  return {
    location: String(location),
    database: definition.database,
    start: (settings = {}) => startBot(name, definition, settings.database),
  };
}

/** Imports a bot module and starts it (`importBotModule(location).start(settings)`). */
export async function loadBotModule(
  location: string | URL,
  settings: { database?: BotDatabaseSettings } = {},
): Promise<RunningBot> {
  return (await importBotModule(location)).start(settings);
}

async function startBot(
  name: string,
  definition: BotDefinition,
  settings: BotDatabaseSettings | undefined,
): Promise<RunningBot> {
  let client: DatabaseClient | undefined;
  if (definition.database) {
    if (!settings) throw new BotModuleError(`${name} declares a database; give it the worker's DATABASE_URL`);
    client = definition.database.connect({
      pool: {
        connectionString: settings.databaseUrl,
        max: settings.maxConnections ?? 10,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 30_000,
        ...(settings.statementTimeoutMs ? { statement_timeout: settings.statementTimeoutMs } : {}),
        ...(settings.lockTimeoutMs ? { lock_timeout: settings.lockTimeoutMs } : {}),
      },
    });
  }
  const registry = new HandlerRegistry();
  try {
    await definition(registry, client);
  } catch (error) {
    await client?.$disconnect().catch(() => {});
    throw error;
  }
  return {
    registry,
    close: async () => {
      await client?.$disconnect();
    },
  };
}
