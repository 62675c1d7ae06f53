import { defineCommand, option } from '@dgc/bot-sdk';
import { levelFor, type XpStore } from './xp-store.js';

/** `/level [user]` and `/leaderboard`. */
export function createXpCommands(xp: XpStore) {
  const level = defineCommand({
    name: 'level',
    description: 'Shows a member’s XP, level and rank',
    options: { user: option.user({ description: 'Whose (default: you)' }) },
    async execute({ interaction, options, user, reply }) {
      const guildId = interaction.guild_id;
      if (!guildId) {
        await reply({ content: 'XP is counted per server.', ephemeral: true });
        return;
      }
      const member = options.user ?? user;
      const row = await xp.get(guildId, member.id);
      if (!row) {
        await reply({ content: `<@${member.id}> has no XP yet.`, allowed_mentions: { parse: [] } });
        return;
      }
      const rank = await xp.rank(guildId, row.xp);
      const next = 100 * (levelFor(row.xp) + 1) ** 2;
      await reply({
        content: `<@${member.id}>: level ${row.level}, ${row.xp} XP (next level at ${next}), rank #${rank}.`,
        allowed_mentions: { parse: [] },
      });
    },
  });

  const leaderboard = defineCommand({
    name: 'leaderboard',
    description: 'The 10 members with the most XP',
    async execute({ interaction, reply }) {
      const guildId = interaction.guild_id;
      if (!guildId) {
        await reply({ content: 'XP is counted per server.', ephemeral: true });
        return;
      }
      const top = await xp.top(guildId);
      await reply({
        content:
          top.length === 0
            ? 'Nobody has XP yet.'
            : top
                .map((row, index) => `${index + 1}. <@${row.userId}> — level ${row.level}, ${row.xp} XP`)
                .join('\n'),
        allowed_mentions: { parse: [] },
      });
    },
  });
  return [level, leaderboard];
}
