import { once } from 'node:events';
import { PostgresDelayedJobs } from '@dgc/bot-sdk/runtime';
import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import { createLogger } from '@dgc/shared';
import { applyMigrations, createPrismaClient, type PrismaClient } from '@dgc/shared/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClaimLeases } from './claim-leases.js';
import { DelayedJobClaims, LostClaimError } from './delayed-job-claims.js';

describe('DelayedJobClaims: leases and the next due time', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let jobs: PostgresDelayedJobs;
  let replicaA: DelayedJobClaims;
  let replicaB: DelayedJobClaims;

  beforeAll(async () => {
    database = await createTestDatabase('delayed-claims', { schema: { apply: applyMigrations } });
    prisma = createPrismaClient({ databaseUrl: database.url, maxConnections: 4 });
    jobs = new PostgresDelayedJobs(prisma, ['remind']);
    replicaA = new DelayedJobClaims({ queue: prisma, records: prisma }, 'a');
    replicaB = new DelayedJobClaims({ queue: prisma, records: prisma }, 'b');
  });

  beforeEach(async () => {
    await prisma.delayedJob.deleteMany();
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  /** Stands for the lease running out, without waiting for it. */
  const expireLeases = () =>
    prisma.$executeRaw`UPDATE delayed_job SET lease_until = (now() AT TIME ZONE 'UTC') - interval '1 second'
      WHERE status = 'running'`;

  it('says how long until the earliest job is due, by the database clock', async () => {
    expect(await replicaA.msUntilNextClaimable()).toBeNull();
    await jobs.at(Date.now() + 60_000, 'remind');
    await jobs.at(Date.now() + 5_000, 'remind');
    const untilLater = await replicaA.msUntilNextClaimable();
    expect(untilLater).toBeGreaterThan(3_000);
    expect(untilLater).toBeLessThanOrEqual(5_000);
    await jobs.at(Date.now() - 1, 'remind');
    expect(await replicaA.msUntilNextClaimable()).toBe(0);
  });

  it('counts a running job whose lease passes as claimable then', async () => {
    await jobs.at(Date.now() - 1, 'remind');
    await replicaA.claim(10, 30_000);
    const untilLeasePasses = await replicaA.msUntilNextClaimable();
    expect(untilLeasePasses).toBeGreaterThan(20_000);
    expect(untilLeasePasses).toBeLessThanOrEqual(30_000);
    await expireLeases();
    expect(await replicaA.msUntilNextClaimable()).toBe(0);
  });

  it('renews only the claims still held: one taken over after its lease passed is left out', async () => {
    await jobs.at(Date.now() - 1, 'remind');
    await jobs.at(Date.now() - 1, 'remind');
    const [first, second] = await replicaA.claim(2, 1_000);
    if (!first || !second) throw new Error('expected two claims');
    await expireLeases();
    await prisma.delayedJob.updateMany({
      where: { id: first.id },
      data: { leaseUntil: new Date(Date.now() + 60_000) },
    });
    const [takenOver] = await replicaB.claim(10, 1_000);
    expect(takenOver?.id).toBe(second.id);

    const kept = await replicaA.renew([first.claimToken, second.claimToken], 30_000);
    expect([...kept]).toEqual([first.claimToken]);
    const renewed = await prisma.delayedJob.findUniqueOrThrow({ where: { id: first.id } });
    expect(renewed.leaseUntil?.getTime()).toBeGreaterThan(Date.now() + 20_000);
    await expect(replicaA.complete(second, 1_000)).rejects.toBeInstanceOf(LostClaimError);
  });

  it('ClaimLeases keeps a held claim alive and fires the signal of one another replica took over', async () => {
    await jobs.at(Date.now() - 1, 'remind');
    await jobs.at(Date.now() - 1, 'remind');
    const [kept, lost] = await replicaA.claim(2, 1_000);
    if (!kept || !lost) throw new Error('expected two claims');
    const leases = new ClaimLeases(replicaA, 1_000, createLogger({ name: 'test', level: 'silent' }));
    const keptSignal = leases.hold(kept.claimToken);
    const lostSignal = leases.hold(lost.claimToken);
    await prisma.delayedJob.updateMany({
      where: { id: lost.id },
      data: { leaseUntil: new Date(Date.now() - 1_000) },
    });
    const [takenOver] = await replicaB.claim(10, 60_000);
    expect(takenOver?.id).toBe(lost.id);

    leases.start();
    try {
      await once(lostSignal, 'abort');
      expect(lostSignal.reason).toBeInstanceOf(LostClaimError);
      expect(keptSignal.aborted).toBe(false);
      const row = await prisma.delayedJob.findUniqueOrThrow({ where: { id: kept.id } });
      // Claimed with a 1 s lease; the renewal a third of it later set another second from then.
      expect(row.leaseUntil?.getTime()).toBeGreaterThan(Date.now() + 500);
    } finally {
      leases.stop();
    }
  });
});
