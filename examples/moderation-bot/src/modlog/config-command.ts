import { defineCommand, option } from '@dgc/bot-sdk';
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { GuildConfigStore } from './guild-config.js';

/** `/config modlog [channel]`: sets the mod-log channel (none clears it); `/config show`. */
export function createConfigCommand(config: GuildConfigStore) {
  return defineCommand({
    name: 'config',
    description: 'Server settings of the moderation bot',
    options: {
      setting: option.string({ description: 'modlog, or show', required: true, choices: ['modlog', 'show'] }),
      channel: option.channel({ description: 'The mod-log channel (empty: no mod log)' }),
    },
    requiredPermissions: PermissionFlagsBits.ManageGuild,
    ephemeral: true,
    async execute({ interaction, options, reply, cache }) {
      const guildId = interaction.guild_id ?? '';
      if (options.setting === 'show') {
        const channelId = await config.modlogChannel(guildId);
        await reply({ content: `Mod log: ${channelId ? `<#${channelId}>` : 'none'}`, ephemeral: true });
        return;
      }
      if (options.channel && options.channel.type !== ChannelType.GuildText) {
        await reply({ content: 'The mod log must be a text channel.', ephemeral: true });
        return;
      }
      // The channel must still exist: read through the cache, which the gateways keep current.
      if (options.channel && !(await cache.channel(options.channel.id))) {
        await reply({ content: 'That channel no longer exists.', ephemeral: true });
        return;
      }
      await config.setModlogChannel(guildId, options.channel?.id ?? null);
      await reply({
        content: options.channel ? `Mod log set to <#${options.channel.id}>.` : 'Mod log turned off.',
        ephemeral: true,
      });
    },
  });
}
