import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the worker needs of a bot's database client: a way to close it at shutdown. */
export interface DatabaseClient {
  $disconnect(): Promise<void>;
}

/**
 * The pool the worker chose for the bot's client, as `pg` `PoolConfig` fields, so a Prisma client is one
 * line: `new PrismaClient({ adapter: new PrismaPg(connection.pool) })`. The pool is bounded and its
 * statements time out with the job (`statement_timeout`), like the worker's own.
 */
export interface BotDatabaseConnection {
  pool: {
    connectionString: string;
    max: number;
    connectionTimeoutMillis: number;
    idleTimeoutMillis: number;
    statement_timeout?: number;
    lock_timeout?: number;
  };
}

/** How a bot declares its own tables: see `defineDatabase`. */
export interface BotDatabaseDefinition<Client extends DatabaseClient> {
  /**
   * The PostgreSQL schema that holds the bot's tables (every model says `@@schema("<this>")`) and the bot's
   * own `_prisma_migrations` history, so the bot's migrations never mix with the runtime's (`public`).
   */
  schemaName: string;
  /** The bot's Prisma schema file (a path, or a `file:` URL such as `new URL('../prisma/schema.prisma', import.meta.url)`). */
  prismaSchema: string | URL;
  /** The bot's migrations, in Prisma's `<timestamp>_<name>/migration.sql` layout. */
  migrationsDir: string | URL;
  /** Creates the bot's client; the worker calls it once per process and `$disconnect`s it at shutdown. */
  connect(connection: BotDatabaseConnection): Client;
}

/** A bot's database declaration with its paths resolved. */
export interface BotDatabase<Client extends DatabaseClient = DatabaseClient> {
  readonly schemaName: string;
  readonly prismaSchema: string;
  readonly migrationsDir: string;
  connect(connection: BotDatabaseConnection): Client;
}

/**
 * Declares the bot's own tables: its Prisma schema, its migrations and how to build its client. Pass the
 * result to `defineBot(database, setup)`: `npm run db:migrate` then applies the bot's migrations after the
 * runtime's, and `setup` receives the client.
 */
export function defineDatabase<Client extends DatabaseClient>(
  definition: BotDatabaseDefinition<Client>,
): BotDatabase<Client> {
  if (!/^[a-z_][a-z0-9_]*$/.test(definition.schemaName) || definition.schemaName === 'public') {
    throw new TypeError(
      `schemaName "${definition.schemaName}" must be a lower-case PostgreSQL identifier other than public`,
    );
  }
  return {
    schemaName: definition.schemaName,
    prismaSchema: toPath(definition.prismaSchema),
    migrationsDir: toPath(definition.migrationsDir),
    connect: (connection) => definition.connect(connection),
  };
}

function toPath(location: string | URL): string {
  if (location instanceof URL) return fileURLToPath(location);
  return isAbsolute(location) ? location : resolve(location);
}
