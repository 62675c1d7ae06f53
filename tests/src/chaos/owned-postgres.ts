import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { botMigrationSource } from '@dgc/bot-sdk/runtime';
import { applyMigrations, databaseUrlOn, ensureDatabaseExists } from '@dgc/shared/db';
import { starterBotDatabase } from '@dgc/starter-bot/database';
import { freePort } from '../support/services.js';

const run = promisify(execFile);

/** The newest PostgreSQL installed the Debian way (`/usr/lib/postgresql/<major>/bin`), as the CI image has it. */
function postgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const [newest] = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((left, right) => Number(right) - Number(left));
  if (!newest) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, newest, 'bin');
}
const binaries = postgresBinaries();

/** `postgres` owns the cluster: initdb and the server refuse to run as root. */
async function asPostgres(command: string, args: readonly string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(binaries, command), ...args]]
    : [join(binaries, command), [...args]];
  await run(file, argv, { timeout: 60_000 });
}

/**
 * A PostgreSQL server of the test's own (its own data folder, port and socket folder under a temporary
 * folder), so the test can stop and start it under a running cluster without touching the shared server.
 */
export class OwnedPostgres {
  readonly port: number;
  readonly #folder: string;

  private constructor(folder: string, port: number) {
    this.#folder = folder;
    this.port = port;
  }

  static async start(): Promise<OwnedPostgres> {
    const folder = await mkdtemp(join(tmpdir(), 'dgc-owned-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: group } = await run('id', ['-g', 'postgres']);
      await chown(folder, Number(stdout.trim()), Number(group.trim()));
    }
    const server = new OwnedPostgres(folder, await freePort());
    await asPostgres('initdb', ['-D', server.#dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await server.resume();
    return server;
  }

  get #dataDir(): string {
    return join(this.#folder, 'data');
  }

  /** URL of database `name` on this server (created by `createDatabase`). */
  url(name: string): string {
    return databaseUrlOn(`postgresql://postgres@127.0.0.1:${this.port}/postgres`, name);
  }

  /** Creates database `name` with the runtime's migrations, then the example bot's (what workers run). */
  async createDatabase(name: string): Promise<string> {
    const url = this.url(name);
    await ensureDatabaseExists(url);
    await applyMigrations(url);
    await applyMigrations(url, botMigrationSource(starterBotDatabase));
    return url;
  }

  /** Stops the server as an operator would: `-m fast` ends every session at once (57P01 to clients). */
  async stop(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.#dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /** Starts the server (again) and waits until it accepts connections. */
  async resume(): Promise<void> {
    await asPostgres('pg_ctl', [
      '-D',
      this.#dataDir,
      '-l',
      join(this.#folder, 'server.log'),
      '-o',
      // Durability buys nothing in a scratch server and costs the shared machine fsyncs.
      `-p ${this.port} -k ${this.#folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`,
      '-w',
      'start',
    ]);
  }

  /** Stops the server if it runs and removes its folder. */
  async remove(): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.#dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    await rm(this.#folder, { recursive: true, force: true });
  }
}
