import { PermissionFlagsBits } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModerationCluster, startModerationCluster } from './moderation-cluster.js';

/**
 * The moderation bot's cases end to end (simulator → gateway → worker → PostgreSQL): numbers per guild
 * under concurrency, the hierarchy refusal that calls nothing, and a DM failure noted on the case.
 */
describe('moderation bot: cases', () => {
  let bot: ModerationCluster;
  const memberId = (index: number) => bot.guild.members[index]?.user.id ?? '';

  beforeAll(async () => {
    bot = await startModerationCluster('modbot-cases', { scheduler: false });
  }, 60_000);

  afterAll(async () => {
    await bot?.teardown();
  });

  it('numbers 20 concurrent /warn in one guild 1..20, with no gap and no repeat', {
    timeout: 45_000,
  }, async () => {
    const moderator = memberId(2);
    await bot.giveModeratorRole(moderator);
    const targets = Array.from({ length: 20 }, (_, index) => memberId(10 + index));
    const interactions = targets.map((target, index) =>
      bot.run('warn', moderator, { user: { user: target }, reason: `warning ${index}` }),
    );
    // Counted in PostgreSQL: on a loaded machine an answer can miss Discord's 3 s window, the case cannot.
    await expect
      .poll(() => bot.prisma.modCase.count({ where: { guildId: BigInt(bot.guild.id) } }), {
        timeout: 30_000,
        interval: 100,
      })
      .toBe(interactions.length);

    const cases = await bot.prisma.modCase.findMany({
      where: { guildId: BigInt(bot.guild.id) },
      orderBy: { number: 'asc' },
    });
    expect(cases.map((entry) => entry.number)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(new Set(cases.map((entry) => entry.targetId.toString()))).toEqual(new Set(targets));
    expect(cases.every((entry) => entry.action === 'warn' && entry.dmDelivered === true)).toBe(true);
  });

  it('refuses a moderator below the target’s highest role with an ephemeral answer and no other call', {
    timeout: 30_000,
  }, async () => {
    const [moderator, target] = [memberId(3), memberId(40)];
    await bot.giveModeratorRole(target);
    const casesBefore = await bot.prisma.modCase.count();
    const injectedAt = Date.now();
    const interaction = bot.run('ban', moderator, { user: { user: target }, reason: 'raid' });
    const answer = await bot.answerMatching(interaction, /cannot moderate/);

    expect(answer.flags & 64).toBe(64);
    const calls = bot.cluster.simulator.restCalls.filter((call) => call.receivedAt >= injectedAt);
    expect(calls.map((call) => `${call.method} ${call.route}`)).toEqual([
      `POST /interactions/${interaction.id}/:token/callback`,
    ]);
    expect(await bot.prisma.modCase.count()).toBe(casesBefore);
    expect(
      bot.cluster.simulator.guilds
        .find((guild) => guild.id === bot.guild.id)
        ?.members.some((member) => member.user.id === target),
    ).toBe(true);
  });

  it('kicks with the reason in the audit log, and notes on the case a DM the target does not accept', {
    timeout: 30_000,
  }, async () => {
    const [moderator, target] = [memberId(2), memberId(50)];
    bot.cluster.simulator.closeDirectMessages(target);
    const interaction = bot.run('kick', moderator, { user: { user: target }, reason: 'spamming links' });
    await bot.answerMatching(interaction, /^Case #21: kick/);

    const kicked = await bot.prisma.modCase.findUnique({
      where: { guildId_number: { guildId: BigInt(bot.guild.id), number: 21 } },
    });
    expect(kicked).toMatchObject({
      action: 'kick',
      targetId: BigInt(target),
      dmDelivered: false,
      dmError: 'Cannot send messages to this user',
    });
    const kick = bot.cluster.simulator.restCalls.find(
      (call) => call.method === 'DELETE' && call.route === `/guilds/${bot.guild.id}/members/${target}`,
    );
    expect(kick).toMatchObject({ status: 204, auditLogReason: 'spamming links' });
  });

  it('pages /cases with buttons: Older turns the page in place, a member without ModerateMembers is refused', {
    timeout: 30_000,
  }, async () => {
    const moderator = memberId(2);
    const interaction = bot.run('cases', moderator);
    const first = await bot.answerMatching(interaction, /Page 1\/\d+/);
    expect(first.content).toMatch(/^\*\*#21\*\* kick/);
    const callback = bot.cluster.simulator.restCalls.find(
      (call) => call.route === `/interactions/${interaction.id}/:token/callback`,
    );
    const buttons = (
      callback?.requestBody as
        | { data: { components: { components: { custom_id: string; disabled: boolean }[] }[] } }
        | undefined
    )?.data.components[0]?.components;
    expect(buttons?.map((button) => [button.custom_id, button.disabled])).toEqual([
      ['cases:-1:all', true],
      ['cases:1:all', false],
    ]);

    const click = (userId: string, permissions: string) =>
      bot.cluster.simulator.injectComponentInteraction({
        customId: 'cases:1:all',
        messageId: interaction.id,
        guildId: bot.guild.id,
        userId,
        memberPermissions: permissions,
      });
    const older = click(moderator, String(PermissionFlagsBits.ModerateMembers));
    const update = await bot.cluster.simulator.waitForInteractionResponse(older.id, 20_000);
    const body = update.requestBody as { type: number; data: { content: string } };
    expect(body.type).toBe(7);
    expect(body.data.content).toMatch(/^\*\*#16\*\* warn/);
    expect(body.data.content).toContain('Page 2/5');

    const forged = click(memberId(60), '0');
    const refusal = await bot.cluster.simulator.waitForInteractionResponse(forged.id, 20_000);
    expect(refusal.requestBody).toMatchObject({ type: 4, data: { flags: 64 } });
  });
});
