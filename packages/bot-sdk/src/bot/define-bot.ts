import type { Bot } from '../events/bot.js';
import type { BotDatabase, DatabaseClient } from './define-database.js';

/** What a bot without tables of its own does: add its event handlers and slash commands. */
export type BotSetup = (bot: Bot) => void | Promise<void>;

/** What a bot with its own tables does; `database` is the client its `defineDatabase` creates. */
export type BotSetupWithDatabase<Client extends DatabaseClient> = (
  bot: Bot,
  database: Client,
) => void | Promise<void>;

/**
 * A bot module's default export. A function, so that a plain `(bot) => …` works too; `database`, when
 * present, tells the worker which migrations to apply and which client to create for the setup.
 */
export interface BotDefinition {
  (bot: Bot, database?: DatabaseClient): void | Promise<void>;
  readonly database?: BotDatabase;
}

/**
 * Defines a bot: `export default defineBot((bot) => bot.on(...).command(...))`, or, for a bot with its own
 * tables, `export default defineBot(database, (bot, db) => …)` with `database` from `defineDatabase`.
 */
export function defineBot(setup: BotSetup): BotDefinition;
export function defineBot<Client extends DatabaseClient>(
  database: BotDatabase<Client>,
  setup: BotSetupWithDatabase<Client>,
): BotDefinition;
export function defineBot<Client extends DatabaseClient>(
  setupOrDatabase: BotSetup | BotDatabase<Client>,
  setup?: BotSetupWithDatabase<Client>,
): BotDefinition {
  if (typeof setupOrDatabase === 'function') return setupOrDatabase;
  if (!setup) throw new TypeError('defineBot(database, setup): setup is missing');
  const withDatabase = (bot: Bot, database?: DatabaseClient) => {
    if (!database) throw new TypeError('this bot needs its database client; run it in a worker');
    return setup(bot, database as Client);
  };
  return Object.assign(withDatabase, { database: setupOrDatabase });
}
