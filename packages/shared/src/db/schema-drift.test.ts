import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from './migration-error.js';
import { applyMigrations, createMigration, schemaDrift } from './migrations.js';
import { migrationsDir, schemaPath } from './prisma-paths.js';

/** The committed schema plus one column the committed migrations lack. */
async function writeSchemaWithExtraColumn(directory: string): Promise<string> {
  const schema = await readFile(schemaPath, 'utf8');
  const changed = schema.replace(/(\n\s*outcome\s+String)/, '\n  xp Int @default(0)$1');
  expect(changed).not.toBe(schema);
  const path = join(directory, 'schema.prisma');
  await writeFile(path, changed);
  return path;
}

/**
 * The committed schema as it was when the init migration was written: without what later migrations
 * added (delayed_job, and scheduled_job_run's attempt, duration_ms and error).
 */
async function writeInitTimeSchema(directory: string): Promise<string> {
  const schema = await readFile(schemaPath, 'utf8');
  const initTime = schema
    .replace(/\n(\/\/\/[^\n]*\n)*model DelayedJob \{[^}]*\}\n/, '\n')
    .replace(/\n(\s*\/\/\/[^\n]*\n)*\s*(attempt|durationMs|error)\s+(Int|String)[^\n]*/g, '')
    .replace(/\n(\s*\/\/\/[^\n]*\n)*\s*@@index\(\[jobId\]\)/, '');
  expect(initTime).not.toContain('DelayedJob');
  expect(initTime).not.toMatch(/durationMs|attempt\s+Int|error\s+String|\[jobId\]/);
  const path = join(directory, 'init-time', 'schema.prisma');
  await mkdir(join(directory, 'init-time'), { recursive: true });
  await writeFile(path, initTime);
  return path;
}

describe('schema drift', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'dgc-schema-drift-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('is empty: the committed migrations produce exactly the committed schema', async () => {
    expect(await schemaDrift()).toBe('');
  });

  it('is the missing SQL when the schema has a change without a migration', async () => {
    const changedSchema = await writeSchemaWithExtraColumn(scratch);
    expect(await schemaDrift({ schemaFile: changedSchema })).toMatch(
      /ALTER TABLE "scheduled_job_run" ADD COLUMN\s+"xp" INTEGER NOT NULL DEFAULT 0/,
    );
  });

  it('createMigration refuses to write an empty migration', async () => {
    const before = await readdir(migrationsDir);
    await expect(createMigration('nothing_changed')).rejects.toBeInstanceOf(MigrationError);
    expect(await readdir(migrationsDir)).toEqual(before);
  });

  it('createMigration on an empty history reproduces the committed init migration and lockfile', async () => {
    const emptyHistory = join(scratch, 'empty-history');
    const written = await createMigration('init', {
      schemaFile: await writeInitTimeSchema(scratch),
      migrationsDir: emptyHistory,
    });

    const [committedInit] = (await readdir(migrationsDir)).filter((name) => name.endsWith('_init'));
    const init = await readFile(join(migrationsDir, `${committedInit}`, 'migration.sql'), 'utf8');
    // member_activity has left the runtime's schema (it is the example bot's now); the rest of the init
    // migration is what Prisma writes for today's schema, byte for byte.
    const withoutMemberActivity = init.replace(
      /-- CreateTable\nCREATE TABLE "member_activity" \([^;]*\);\n\n/,
      '',
    );
    expect(withoutMemberActivity).not.toBe(init);
    expect(await readFile(join(written, 'migration.sql'), 'utf8')).toBe(withoutMemberActivity);
    expect(await readFile(join(emptyHistory, 'migration_lock.toml'), 'utf8')).toBe(
      await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8'),
    );
  });

  describe('createMigration with a changed schema', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase('new_migration');
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('writes a migration after the existing ones that closes the gap and applies', async () => {
      const changedSchema = await writeSchemaWithExtraColumn(scratch);
      const migrations = join(scratch, 'migrations');
      await cp(migrationsDir, migrations, { recursive: true });
      const source = { schemaFile: changedSchema, migrationsDir: migrations };

      const written = await createMigration('Add XP', source);

      expect(written).toMatch(/[/\\]\d{14}_add_xp$/);
      expect((await readdir(migrations)).filter((name) => name !== 'migration_lock.toml').at(-1)).toBe(
        written.split(/[/\\]/).at(-1),
      );
      expect(await schemaDrift(source)).toBe('');
      expect(await applyMigrations(database.url, source)).toEqual([
        ...(await readdir(migrationsDir)).filter((name) => name !== 'migration_lock.toml').sort(),
        written.split(/[/\\]/).at(-1),
      ]);
    });
  });
});
