import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModerationCluster, startModerationCluster } from './moderation-cluster.js';

interface PostedEmbed {
  title?: string;
  description?: string;
}

/** The mod log (cases and deletions with their kept content) and XP with its 60 s cooldown, end to end. */
describe('moderation bot: mod log and XP', () => {
  let bot: ModerationCluster;
  const memberId = (index: number) => bot.guild.members[index]?.user.id ?? '';
  const textChannels = () => bot.guild.channels.filter((channel) => channel.type === 0);

  beforeAll(async () => {
    bot = await startModerationCluster('modbot-modlog', { scheduler: false });
  }, 60_000);

  afterAll(async () => {
    await bot?.teardown();
  });

  const modlogPosts = (channelId: string) =>
    bot.cluster.simulator.restCalls
      .filter(
        (call) =>
          call.method === 'POST' && call.route === `/channels/${channelId}/messages` && call.status === 200,
      )
      .flatMap((call) => (call.requestBody as { embeds?: PostedEmbed[] }).embeds ?? []);

  it('posts cases and deleted messages with their kept content to the mod-log channel', {
    timeout: 45_000,
  }, async () => {
    const moderator = memberId(2);
    await bot.giveModeratorRole(moderator);
    const [general, modlog] = textChannels().map((channel) => channel.id) as [string, string];
    const configured = bot.run('config', moderator, { setting: 'modlog', channel: { channel: modlog } });
    await bot.answerMatching(configured, /^Mod log set to/);

    const message = bot.cluster.simulator.injectMessageCreate({
      guildId: bot.guild.id,
      channelId: general,
      authorId: memberId(7),
      content: 'a message the author regrets',
    });
    await expect
      .poll(() => bot.prisma.keptMessage.count({ where: { id: BigInt(message.id) } }), {
        timeout: 15_000,
        interval: 100,
      })
      .toBe(1);
    expect((await bot.api(`/channels/${general}/messages/${message.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    await expect
      .poll(() => modlogPosts(modlog).find((embed) => embed.title === 'Message deleted')?.description, {
        timeout: 15_000,
        interval: 100,
      })
      .toBe('a message the author regrets');

    const warned = bot.run('warn', moderator, { user: { user: memberId(8) }, reason: 'rude' });
    await bot.answerMatching(warned, /^Case #1: warn/);
    await expect
      .poll(() => modlogPosts(modlog).some((embed) => embed.title === 'Case #1 · warn'), {
        timeout: 15_000,
        interval: 100,
      })
      .toBe(true);
  });

  it('grants XP once per 60 s per member, and /level and /leaderboard read it', {
    timeout: 30_000,
  }, async () => {
    const [talker, other] = [memberId(9), memberId(10)];
    const say = (authorId: string) =>
      bot.cluster.simulator.injectMessageCreate({ guildId: bot.guild.id, authorId, content: 'hello' });
    // Five messages at once from one member: the cooldown lets one of them count.
    for (let index = 0; index < 5; index += 1) say(talker);
    say(other);
    const xpOf = async (userId: string) =>
      (
        await bot.prisma.memberXp.findFirst({
          where: { guildId: BigInt(bot.guild.id), userId: BigInt(userId) },
        })
      )?.xp;
    await expect.poll(() => xpOf(other), { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
    await expect.poll(() => xpOf(talker), { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
    const talkerXp = (await xpOf(talker)) ?? 0;
    expect(talkerXp).toBeGreaterThanOrEqual(15);
    expect(talkerXp).toBeLessThanOrEqual(25);

    const level = await bot.answerMatching(bot.run('level', talker), /level 0/);
    expect(level.content).toContain(`${talkerXp} XP`);
    const board = await bot.answerMatching(bot.run('leaderboard', talker), /^1\. /);
    // The top members by XP, most first, as PostgreSQL has them (the first test's author earned some too).
    const top = await bot.prisma.memberXp.findMany({
      where: { guildId: BigInt(bot.guild.id) },
      orderBy: { xp: 'desc' },
    });
    expect(board.content.split('\n').map((line) => /<@(\d+)>/.exec(line)?.[1])).toEqual(
      top.slice(0, 10).map((row) => row.userId.toString()),
    );
    expect(board.content).toContain(`<@${talker}>`);
  });
});
