import { defineCommand, option } from '@dgc/bot-sdk';
import type { MemberActivityStore } from './member-activity.js';

/** `/activity [member]`: how many messages a member sent in this server, from the member-activity counter. */
export function createActivityCommand(activity: MemberActivityStore) {
  return defineCommand({
    name: 'activity',
    description: 'Shows how many messages a member has sent in this server',
    options: {
      member: option.user({ description: 'Whose activity to show (default: you)' }),
    },
    ephemeral: true,
    async execute({ interaction, options, user, reply, signal }) {
      if (!interaction.guild_id) {
        await reply({ content: 'Activity is counted per server; run this in a server.', ephemeral: true });
        return;
      }
      const member = options.member ?? user;
      signal.throwIfAborted();
      const counted = await activity.activityOf(interaction.guild_id, member.id);
      await reply({
        content: counted
          ? `<@${member.id}> has sent ${counted.messageCount} messages (last <t:${Math.floor(counted.lastMessageAt.getTime() / 1_000)}:R>).`
          : `<@${member.id}> has not sent any messages yet.`,
        ephemeral: true,
        allowed_mentions: { parse: [] },
      });
    },
  });
}
