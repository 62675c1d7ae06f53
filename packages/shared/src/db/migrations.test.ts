import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceUnreachableError } from '../services/service-unreachable-error.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { applyMigrations, schemaDrift, schemaPath } from './migrations.js';
import { createPrismaClient } from './prisma-client.js';

describe('migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('migrations');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('committed migrations match the Prisma schema', async () => {
    expect(await schemaDrift(database.url)).toBe('');
  });

  it('detects a schema change that has no migration', async () => {
    const changed = join(tmpdir(), `schema-${process.pid}.prisma`);
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(changed, schema.replace('messageCount  Int', 'xp Int @default(0)\n  messageCount  Int'));
    expect(await schemaDrift(database.url, changed)).toMatch(
      /ALTER TABLE "member_activity" ADD COLUMN\s+"xp"/,
    );
  });

  it('applying again is a no-op, also when several processes apply at once', async () => {
    const results = await Promise.all([applyMigrations(database.url), applyMigrations(database.url)]);
    expect(results).toEqual([[], []]);
  });

  it('gives the Prisma client a working database', async () => {
    const prisma = createPrismaClient({ databaseUrl: database.url, maxConnections: 2 });
    try {
      const key = { guildId: 81_384_788_765_712_384n, userId: 80_351_110_224_678_912n };
      await prisma.memberActivity.upsert({
        where: { guildId_userId: key },
        create: { ...key, messageCount: 1, lastMessageAt: new Date() },
        update: { messageCount: { increment: 1 } },
      });
      await prisma.memberActivity.upsert({
        where: { guildId_userId: key },
        create: { ...key, messageCount: 1, lastMessageAt: new Date() },
        update: { messageCount: { increment: 1 } },
      });
      expect(await prisma.memberActivity.findUnique({ where: { guildId_userId: key } })).toMatchObject({
        messageCount: 2,
      });
    } finally {
      await prisma.$disconnect();
    }
  });

  it('names the URL and how to start PostgreSQL when the server is unreachable', async () => {
    const error = await applyMigrations('postgresql://postgres:hunter2@127.0.0.1:1/nowhere').catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect(error.message).toContain('postgresql://postgres:***@127.0.0.1:1/nowhere');
    expect(error.message).toContain('pg_ctlcluster');
    expect(error.message).not.toContain('hunter2');
  });
});
