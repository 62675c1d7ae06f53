import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import { applyMigrations, migrationsDir as runtimeMigrationsDir, schemaDrift } from '@dgc/shared/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starterBotDatabase } from './database.js';

const source = {
  schemaFile: starterBotDatabase.prismaSchema,
  migrationsDir: starterBotDatabase.migrationsDir,
  historySchema: starterBotDatabase.schemaName,
};

async function historyIn(url: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select migration_name from ${pg.escapeIdentifier(schema)}._prisma_migrations order by migration_name`,
    );
    return rows.map((row: { migration_name: string }) => row.migration_name);
  } finally {
    await client.end();
  }
}

describe("the starter bot's schema", () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'dgc-starter-bot-drift-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('has no drift: the committed migrations produce exactly the committed schema', async () => {
    expect(await schemaDrift(source)).toBe('');
  });

  it('shows the missing SQL, in the bot schema, when a change has no migration', async () => {
    const schema = await readFile(source.schemaFile, 'utf8');
    const changed = schema.replace(/(\n\s*messageCount\s+Int)/, '\n  xp Int @default(0)$1');
    expect(changed).not.toBe(schema);
    const changedSchema = join(scratch, 'schema.prisma');
    await writeFile(changedSchema, changed);
    expect(await schemaDrift({ ...source, schemaFile: changedSchema })).toMatch(
      /ALTER TABLE "starter_bot"\."member_activity" ADD COLUMN\s+"xp" INTEGER NOT NULL DEFAULT 0/,
    );
  });

  describe('applied after the runtime', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase('starter_bot_history', { schema: { apply: applyMigrations } });
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('keeps its own history in starter_bot._prisma_migrations, apart from the runtime', async () => {
      const runtimeHistory = await historyIn(database.url, 'public');
      const committed = (await readdir(source.migrationsDir)).filter(
        (name) => name !== 'migration_lock.toml',
      );

      expect(await applyMigrations(database.url, source)).toEqual(committed);
      expect(await applyMigrations(database.url, source)).toEqual([]);
      expect(await historyIn(database.url, 'starter_bot')).toEqual(committed);
      expect(await historyIn(database.url, 'public')).toEqual(runtimeHistory);
    });
  });

  describe('on a database migrated when member_activity was a runtime table', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase('starter_bot_adopt');
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('adopts the old table with its rows', async () => {
      const firstOnly = join(scratch, 'runtime-init-only');
      const [init] = (await readdir(runtimeMigrationsDir)).filter((name) => name.endsWith('_init'));
      await cp(join(runtimeMigrationsDir, `${init}`), join(firstOnly, `${init}`), { recursive: true });
      await cp(join(runtimeMigrationsDir, 'migration_lock.toml'), join(firstOnly, 'migration_lock.toml'));
      await applyMigrations(database.url, { migrationsDir: firstOnly });
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(
          'insert into member_activity (guild_id, user_id, message_count, last_message_at) values (1, 2, 7, now())',
        );
        await applyMigrations(database.url);
        await applyMigrations(database.url, source);
        const { rows } = await client.query('select message_count from starter_bot.member_activity');
        expect(rows).toEqual([{ message_count: 7 }]);
      } finally {
        await client.end();
      }
    });
  });
});
