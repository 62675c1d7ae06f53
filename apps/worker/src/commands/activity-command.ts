import { option } from './command-options.js';
import { defineCommand } from './slash-command.js';

/** `/activity [member]`: how many messages a member sent in this server, from the member-activity counter. */
export const activityCommand = defineCommand({
  name: 'activity',
  description: 'Shows how many messages a member has sent in this server',
  options: {
    member: option.user({ description: 'Whose activity to show (default: you)' }),
  },
  ephemeral: true,
  async execute({ interaction, options, user, prisma, reply, signal }) {
    if (!interaction.guild_id) {
      await reply({ content: 'Activity is counted per server; run this in a server.', ephemeral: true });
      return;
    }
    const member = options.member ?? user;
    signal.throwIfAborted();
    const activity = await prisma.memberActivity.findUnique({
      where: { guildId_userId: { guildId: BigInt(interaction.guild_id), userId: BigInt(member.id) } },
    });
    await reply({
      content: activity
        ? `<@${member.id}> has sent ${activity.messageCount} messages (last <t:${Math.floor(activity.lastMessageAt.getTime() / 1_000)}:R>).`
        : `<@${member.id}> has not sent any messages yet.`,
      ephemeral: true,
      allowed_mentions: { parse: [] },
    });
  },
});
