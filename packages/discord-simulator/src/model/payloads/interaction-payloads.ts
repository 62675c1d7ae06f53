import {
  type APIApplicationCommandInteractionDataOption,
  type APIAttachment,
  type APIChatInputApplicationCommandInteraction,
  type APIMessageComponentInteraction,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
  InteractionContextType,
  InteractionType,
} from 'discord-api-types/v10';
import type { SeededRandom } from '../seeded-random.js';
import type { SnowflakeGenerator } from '../snowflake.js';
import type { SimulatedGuild, SimulatedWorld } from '../world.js';
import { resolveActor } from './event-actor.js';

export interface InteractionInput {
  commandName: string;
  guildId?: string;
  channelId?: string;
  userId?: string;
  /** Options as Discord sends them; an attachment option's value is the id `attachFile` returned. */
  options?: APIApplicationCommandInteractionDataOption[];
  /** The registered command's id (the simulator fills it in when the command is registered). */
  commandId?: string;
  /** The member's computed permissions in the channel (decimal bit set); default: a broad moderator set. */
  memberPermissions?: string;
}

/** The files uploaded with commands, by attachment id (the simulator's CDN keeps them). */
export type AttachmentLookup = (id: string) => APIAttachment | undefined;

/** Discord resolves the users, members, roles, channels and attachments that options refer to. */
function resolvedOptionData(
  guild: SimulatedGuild,
  options: readonly APIApplicationCommandInteractionDataOption[] = [],
  attachmentById: AttachmentLookup = () => undefined,
) {
  const users: Record<string, unknown> = {};
  const members: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const roles: Record<string, unknown> = {};
  const attachments: Record<string, unknown> = {};
  for (const option of options) {
    if (!('value' in option)) continue;
    const id = String(option.value);
    if (
      option.type === ApplicationCommandOptionType.User ||
      option.type === ApplicationCommandOptionType.Mentionable
    ) {
      const member = guild.members.find((candidate) => candidate.user.id === id);
      if (member) {
        const { user, ...memberWithoutUser } = member;
        users[id] = user;
        members[id] = { ...memberWithoutUser, permissions: '0' };
      }
    }
    if (option.type === ApplicationCommandOptionType.Channel) {
      const channel = guild.channels.find((candidate) => candidate.id === id);
      if (channel) channels[id] = { id, type: channel.type, name: channel.name, permissions: '0' };
    }
    if (
      option.type === ApplicationCommandOptionType.Role ||
      option.type === ApplicationCommandOptionType.Mentionable
    ) {
      const role = guild.roles.find((candidate) => candidate.id === id);
      if (role) roles[id] = role;
    }
    if (option.type === ApplicationCommandOptionType.Attachment) {
      const attachment = attachmentById(id);
      if (attachment) attachments[id] = attachment;
    }
  }
  const resolved = Object.entries({ users, members, channels, roles, attachments }).filter(
    ([, entries]) => Object.keys(entries).length > 0,
  );
  return resolved.length > 0 ? { resolved: Object.fromEntries(resolved) } : {};
}

/** A chat-input INTERACTION_CREATE with a fresh token, as a user running a slash command produces. */
export function chatInputInteractionPayload(input: {
  world: SimulatedWorld;
  ids: SnowflakeGenerator;
  random: SeededRandom;
  interaction: InteractionInput;
  token: string;
  /** Resolves attachment options (files uploaded to the simulator's CDN). */
  attachments?: AttachmentLookup;
}): APIChatInputApplicationCommandInteraction {
  const { world, interaction } = input;
  const { guild, channel, member } = resolveActor(world, input.random, interaction);
  const commandIdSeed = [...interaction.commandName].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 7);
  return {
    id: input.ids.next(),
    application_id: world.application.id,
    type: InteractionType.ApplicationCommand,
    data: {
      id:
        interaction.commandId ??
        (BigInt(world.application.id) + BigInt(commandIdSeed % 1_000_000)).toString(),
      name: interaction.commandName,
      type: ApplicationCommandType.ChatInput,
      ...(interaction.options ? { options: interaction.options } : {}),
      ...resolvedOptionData(guild, interaction.options, input.attachments),
    },
    guild_id: guild.id,
    guild: { id: guild.id, locale: 'en-US', features: [] },
    channel_id: channel.id,
    channel: { id: channel.id, type: channel.type, name: channel.name, guild_id: guild.id, flags: 0 },
    member: { ...member, permissions: interaction.memberPermissions ?? '2248473465835073' },
    token: input.token,
    version: 1,
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guild.id },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10_485_760,
  } as unknown as APIChatInputApplicationCommandInteraction;
}

export interface ComponentInteractionInput {
  /** The custom id of the button clicked. */
  customId: string;
  /** The bot's message the button is on. */
  messageId: string;
  guildId?: string;
  channelId?: string;
  userId?: string;
  memberPermissions?: string;
}

/** A button click (MESSAGE_COMPONENT INTERACTION_CREATE) on the bot's message, with a fresh token. */
export function componentInteractionPayload(input: {
  world: SimulatedWorld;
  ids: SnowflakeGenerator;
  random: SeededRandom;
  interaction: ComponentInteractionInput;
  token: string;
}): APIMessageComponentInteraction {
  const { world, interaction } = input;
  const { guild, channel, member } = resolveActor(world, input.random, interaction);
  return {
    id: input.ids.next(),
    application_id: world.application.id,
    type: InteractionType.MessageComponent,
    data: { custom_id: interaction.customId, component_type: ComponentType.Button },
    message: { id: interaction.messageId, channel_id: channel.id, author: world.botUser },
    guild_id: guild.id,
    guild: { id: guild.id, locale: 'en-US', features: [] },
    channel_id: channel.id,
    channel: { id: channel.id, type: channel.type, name: channel.name, guild_id: guild.id, flags: 0 },
    member: { ...member, permissions: interaction.memberPermissions ?? '2248473465835073' },
    token: input.token,
    version: 1,
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guild.id },
    context: InteractionContextType.Guild,
    attachment_size_limit: 10_485_760,
  } as unknown as APIMessageComponentInteraction;
}
