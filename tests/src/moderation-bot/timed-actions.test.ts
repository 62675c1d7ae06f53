import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../support/services.js';
import { type ModerationCluster, startModerationCluster } from './moderation-cluster.js';

/**
 * Timed moderation through durable delayed jobs: a temp ban that ends while no scheduler runs is lifted
 * once one starts, and reminders on two scheduler replicas are each delivered exactly once.
 */
describe('moderation bot: temp bans and reminders', () => {
  let bot: ModerationCluster;
  const memberId = (index: number) => bot.guild.members[index]?.user.id ?? '';

  beforeAll(async () => {
    bot = await startModerationCluster('modbot-timed', { scheduler: false });
  }, 60_000);

  afterAll(async () => {
    await bot?.teardown();
  });

  it('lifts a temp ban that ended while every scheduler was down once one starts', {
    timeout: 60_000,
  }, async () => {
    const [moderator, target] = [memberId(2), memberId(12)];
    await bot.giveModeratorRole(moderator);
    const interaction = bot.run('tempban', moderator, {
      user: { user: target },
      duration: '2s',
      reason: 'cool off',
    });
    await bot.answerMatching(interaction, /^Case #1: tempban/);
    const tempban = await bot.prisma.modCase.findFirstOrThrow({ where: { number: 1 } });
    expect(tempban.endJobId).not.toBeNull();
    const banPath = `/guilds/${bot.guild.id}/bans/${target}`;
    expect((await bot.api(banPath)).status).toBe(200);

    // The end passes with no scheduler running: nothing lifts the ban.
    const endsAt = tempban.expiresAt?.getTime() ?? 0;
    await expect.poll(() => Date.now() > endsAt + 1_000, { timeout: 10_000, interval: 100 }).toBe(true);
    expect((await bot.api(banPath)).status).toBe(200);

    bot.cluster.processes.push(
      await startService('scheduler', { ...bot.env, SCHEDULER_REPLICA_ID: 'a' }, 'scheduler-a'),
    );
    // Watched in the ledger: polling the ban over REST would spend the bucket the scheduler's call needs.
    const lifts = () =>
      bot.cluster.simulator.restCalls.filter((call) => call.method === 'DELETE' && call.route === banPath);
    await expect.poll(() => lifts().length, { timeout: 20_000, interval: 100 }).toBe(1);
    expect((await bot.api(banPath)).status).toBe(404);
    await expect
      .poll(() => bot.prisma.modCase.findFirst({ where: { number: 2 } }), { timeout: 10_000, interval: 100 })
      .toMatchObject({ action: 'unban', targetId: BigInt(target), reason: 'Temp ban ended (case #1)' });
    expect(await bot.prisma.modCase.findFirst({ where: { number: 1 } })).toMatchObject({ endJobId: null });
    expect(lifts().map((call) => [call.status, call.auditLogReason])).toEqual([
      [204, 'Temp ban ended (case #1)'],
    ]);
  });

  it('delivers every reminder exactly once on two scheduler replicas; a cancelled one never', {
    timeout: 45_000,
  }, async () => {
    bot.cluster.processes.push(
      await startService('scheduler', { ...bot.env, SCHEDULER_REPLICA_ID: 'b' }, 'scheduler-b'),
    );
    const users = Array.from({ length: 10 }, (_, index) => memberId(20 + index));
    const interactions = users.map((user, index) =>
      bot.run('remind', user, { in: '2s', text: `note ${index}` }),
    );
    const cancelledBy = memberId(40);
    const toCancel = bot.run('remind', cancelledBy, { in: '3s', text: 'never' });
    await Promise.all(
      [...interactions, toCancel].map((interaction) => bot.answerMatching(interaction, /^Reminder #\d+/)),
    );
    const [cancelled] = await bot.prisma.reminder.findMany({ where: { userId: BigInt(cancelledBy) } });
    const cancel = bot.run('reminders', cancelledBy, { action: 'cancel', id: Number(cancelled?.id) });
    await bot.answerMatching(cancel, /cancelled/);

    await expect
      .poll(() => bot.prisma.reminder.count({ where: { deliveredAt: { not: null } } }), {
        timeout: 20_000,
        interval: 200,
      })
      .toBe(10);
    const delivered = bot.cluster.simulator.restCalls.filter(
      (call) =>
        call.method === 'POST' && /^\/channels\/\d+\/messages$/.test(call.route) && call.status === 200,
    );
    const messagesOf = (text: string) =>
      new Set(
        delivered
          .filter((call) => (call.requestBody as { content?: string }).content?.endsWith(`reminder: ${text}`))
          .map((call) => (call.responseBody as { id: string }).id),
      ).size;
    expect(users.map((_, index) => messagesOf(`note ${index}`))).toEqual(users.map(() => 1));
    expect(messagesOf('never')).toBe(0);
    expect(await bot.prisma.reminder.findFirst({ where: { userId: BigInt(cancelledBy) } })).toMatchObject({
      deliveredAt: null,
      cancelledAt: expect.any(Date),
    });
  });
});
