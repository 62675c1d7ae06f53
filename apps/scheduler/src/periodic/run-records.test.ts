import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import { applyMigrations, createPrismaClient, type PrismaClient } from '@dgc/shared/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitRun } from './run-records.js';

describe('admitRun: the start of a periodic attempt in the run history', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase('run-records', { schema: { apply: applyMigrations } });
    prisma = createPrismaClient({ databaseUrl: database.url, maxConnections: 4 });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  const start = (jobId: string, runnerId: string, attempt: number) =>
    admitRun(prisma, { jobName: 'sweep', jobId, runnerId, attempt });

  it('marks an earlier attempt of the slot still running abandoned, and leaves other slots alone', async () => {
    const first = await start('repeat:sweep:1000', 'a', 1);
    const other = await start('repeat:sweep:2000', 'a', 1);
    const second = await start('repeat:sweep:1000', 'b', 2);
    expect(first).toMatchObject({ abandoned: 0 });
    expect(second).toMatchObject({ abandoned: 1 });

    const rows = await prisma.scheduledJobRun.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((row) => [row.jobId, row.runnerId, row.attempt, row.outcome])).toEqual([
      ['repeat:sweep:1000', 'a', 1, 'abandoned'],
      ['repeat:sweep:2000', 'a', 1, 'running'],
      ['repeat:sweep:1000', 'b', 2, 'running'],
    ]);
    expect(rows[0]?.error).toBe(
      'stopped without an outcome (its replica exited or lost the lock); attempt 2 on b took the slot over',
    );
    expect('runId' in other).toBe(true);
  });

  it('does not run a slot again once an attempt of it succeeded (its replica died before telling BullMQ)', async () => {
    const first = await start('repeat:sweep:3000', 'a', 1);
    if (!('runId' in first)) throw new Error('the first attempt must be admitted');
    await prisma.scheduledJobRun.update({ where: { id: first.runId }, data: { outcome: 'succeeded' } });

    expect(await start('repeat:sweep:3000', 'b', 2)).toEqual({ alreadySucceeded: true });
    expect(await prisma.scheduledJobRun.count({ where: { jobId: 'repeat:sweep:3000' } })).toBe(1);
  });
});
