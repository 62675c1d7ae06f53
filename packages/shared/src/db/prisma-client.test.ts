import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from './migrations.js';
import { createPrismaClient } from './prisma-client.js';

describe('createPrismaClient', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('prisma_client', { schema: { apply: applyMigrations } });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('upserts and reads member activity keyed by snowflakes beyond 2^53', async () => {
    const prisma = createPrismaClient({ databaseUrl: database.url, maxConnections: 2 });
    try {
      const key = { guildId: 1_181_384_788_765_712_384n, userId: 80_351_110_224_678_913n };
      const recordMessage = (at: Date) =>
        prisma.memberActivity.upsert({
          where: { guildId_userId: key },
          create: { ...key, messageCount: 1, lastMessageAt: at },
          update: { messageCount: { increment: 1 }, lastMessageAt: at },
        });
      await recordMessage(new Date('2026-01-01T00:00:00Z'));
      await recordMessage(new Date('2026-01-02T00:00:00Z'));

      expect(await prisma.memberActivity.findMany()).toEqual([
        { ...key, messageCount: 2, lastMessageAt: new Date('2026-01-02T00:00:00Z') },
      ]);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('cancels a statement that outlives its timeout on the server', async () => {
    const prisma = createPrismaClient({
      databaseUrl: database.url,
      maxConnections: 1,
      statementTimeoutMs: 200,
    });
    try {
      const started = performance.now();
      await expect(prisma.$executeRaw`SELECT pg_sleep(5)`).rejects.toThrow(/statement timeout/);
      expect(performance.now() - started).toBeLessThan(4_000);
      expect(await prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await prisma.$disconnect();
    }
  });
});
