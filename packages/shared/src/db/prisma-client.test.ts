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
