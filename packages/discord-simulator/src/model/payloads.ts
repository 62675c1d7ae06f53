import {
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandInteraction,
  type APIMessage,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  type GatewayGuildCreateDispatchData,
  type GatewayMessageCreateDispatchData,
  type GatewayReadyDispatchData,
  InteractionContextType,
  InteractionType,
  MessageType,
} from 'discord-api-types/v10';
import type { SeededRandom } from './seeded-random.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { SimulatedGuild, SimulatedWorld } from './world.js';

/** Discord's message timestamps carry microseconds and an explicit offset. */
export function discordTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000+00:00');
}

export function readyPayload(input: {
  world: SimulatedWorld;
  guilds: readonly SimulatedGuild[];
  sessionId: string;
  resumeGatewayUrl: string;
  shard?: [number, number];
}): GatewayReadyDispatchData {
  return {
    v: 10,
    user: { ...input.world.botUser, verified: true, mfa_enabled: false, flags: 0 },
    guilds: input.guilds.map((guild) => ({ id: guild.id, unavailable: true })),
    session_id: input.sessionId,
    resume_gateway_url: input.resumeGatewayUrl,
    ...(input.shard ? { shard: input.shard } : {}),
    application: input.world.application,
  } as unknown as GatewayReadyDispatchData;
}

export function guildCreatePayload(
  guild: SimulatedGuild,
  largeThreshold: number,
): GatewayGuildCreateDispatchData {
  const large = guild.memberCount > largeThreshold;
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 1,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: guild.roles,
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: guild.channels[0]?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    incidents_data: null,
    hub_type: null,
    joined_at: guild.joinedAt,
    large,
    unavailable: false,
    member_count: guild.memberCount,
    voice_states: [],
    // Above large_threshold Discord sends only members that are online, in voice or have roles/nicks;
    // the simulated guild has no presences, so only the bot itself qualifies.
    members: large ? guild.members.slice(0, 1) : guild.members,
    channels: guild.channels.map((channel) => ({
      id: channel.id,
      type: channel.type,
      name: channel.name,
      position: channel.position,
      permission_overwrites: channel.permissionOverwrites ?? [],
      parent_id: channel.parentId ?? null,
      nsfw: false,
      ...(channel.type === ChannelType.GuildText
        ? { topic: null, last_message_id: null, rate_limit_per_user: 0 }
        : { bitrate: 64_000, user_limit: 0, rtc_region: null }),
    })),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  } as unknown as GatewayGuildCreateDispatchData;
}

/** A random member who is not the bot (the bot is the first member); the bot only when alone. */
function randomHuman(guild: SimulatedGuild, random: SeededRandom) {
  const members = guild.members;
  return members.length > 1 ? members[1 + random.int(members.length - 1)] : members[0];
}

/**
 * The guild, text channel and member an injected event comes from: the ones asked for, or random ones (a
 * human member, the guild's first text channel). Throws a RangeError naming what does not exist.
 */
function resolveActor(
  world: SimulatedWorld,
  random: SeededRandom,
  wanted: { guildId?: string | undefined; channelId?: string | undefined; userId?: string | undefined },
) {
  const guild = wanted.guildId ? world.guildsById.get(wanted.guildId) : random.pick(world.guilds);
  if (!guild) throw new RangeError(`unknown guild ${wanted.guildId}`);
  const channel =
    guild.channels.find((candidate) => candidate.id === wanted.channelId) ??
    guild.channels.find((candidate) => candidate.type === ChannelType.GuildText);
  if (!channel) throw new RangeError(`guild ${guild.id} has no text channel`);
  const member = wanted.userId
    ? guild.members.find((candidate) => candidate.user.id === wanted.userId)
    : randomHuman(guild, random);
  if (!member) throw new RangeError(`user ${wanted.userId} is not a member of guild ${guild.id}`);
  return { guild, channel, member };
}

export interface MessageInput {
  guildId?: string;
  channelId?: string;
  authorId?: string;
  content?: string;
}

/** A MESSAGE_CREATE as a user in a guild text channel would produce it. */
export function messageCreatePayload(input: {
  world: SimulatedWorld;
  ids: SnowflakeGenerator;
  random: SeededRandom;
  message: MessageInput;
}): GatewayMessageCreateDispatchData {
  const { message } = input;
  const { guild, channel, member } = resolveActor(input.world, input.random, {
    guildId: message.guildId,
    channelId: message.channelId,
    userId: message.authorId,
  });
  const channelId = channel.id;
  const now = Date.now();
  const { user, ...memberWithoutUser } = member;
  return {
    id: input.ids.next(now),
    channel_id: channelId,
    guild_id: guild.id,
    author: user,
    member: memberWithoutUser,
    // Sessions without MESSAGE_CONTENT get it stripped at dispatch (GatewayServer.dispatch).
    content: message.content ?? `hello from ${user.username}`,
    timestamp: discordTimestamp(now),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: MessageType.Default,
    flags: 0,
    components: [],
  } as unknown as GatewayMessageCreateDispatchData;
}

export interface InteractionInput {
  commandName: string;
  guildId?: string;
  channelId?: string;
  userId?: string;
  options?: APIApplicationCommandInteractionDataOption[];
  /** The member's computed permissions in the channel (decimal bit set); default: a broad moderator set. */
  memberPermissions?: string;
}

/** Discord resolves the users, members, roles and channels that options refer to. */
function resolvedOptionData(
  guild: SimulatedGuild,
  options: readonly APIApplicationCommandInteractionDataOption[] = [],
) {
  const users: Record<string, unknown> = {};
  const members: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const roles: Record<string, unknown> = {};
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
  }
  const resolved = Object.entries({ users, members, channels, roles }).filter(
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
}): APIChatInputApplicationCommandInteraction {
  const { world, interaction } = input;
  const { guild, channel, member } = resolveActor(world, input.random, interaction);
  const commandIdSeed = [...interaction.commandName].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 7);
  return {
    id: input.ids.next(),
    application_id: world.application.id,
    type: InteractionType.ApplicationCommand,
    data: {
      id: (BigInt(world.application.id) + BigInt(commandIdSeed % 1_000_000)).toString(),
      name: interaction.commandName,
      type: ApplicationCommandType.ChatInput,
      ...(interaction.options ? { options: interaction.options } : {}),
      ...resolvedOptionData(guild, interaction.options),
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

/** The message object Discord returns for a message the bot created. */
export function botMessage(input: {
  world: SimulatedWorld;
  id: string;
  channelId: string;
  body: {
    content?: string;
    embeds?: unknown[];
    components?: unknown[];
    nonce?: string | number;
    tts?: boolean;
  };
}): APIMessage {
  return {
    id: input.id,
    channel_id: input.channelId,
    author: input.world.botUser,
    content: input.body.content ?? '',
    timestamp: discordTimestamp(Date.now()),
    edited_timestamp: null,
    tts: input.body.tts ?? false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: (input.body.embeds ?? []) as APIMessage['embeds'],
    pinned: false,
    type: MessageType.Default,
    flags: 0,
    components: (input.body.components ?? []) as APIMessage['components'],
    ...(input.body.nonce !== undefined ? { nonce: input.body.nonce } : {}),
  } as unknown as APIMessage;
}

/** GUILD_MEMBER_ADD: the member object plus guild_id (needs GUILD_MEMBERS). */
export function guildMemberAddPayload(guild: SimulatedGuild, user: import('discord-api-types/v10').APIUser) {
  return {
    guild_id: guild.id,
    user,
    nick: null,
    avatar: null,
    banner: null,
    roles: [],
    joined_at: new Date().toISOString(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
}

export function guildMemberRemovePayload(
  guild: SimulatedGuild,
  user: import('discord-api-types/v10').APIUser,
) {
  return { guild_id: guild.id, user };
}

/** TYPING_START in a guild channel, with the member. */
export function typingStartPayload(
  guild: SimulatedGuild,
  channelId: string,
  member: import('discord-api-types/v10').APIGuildMember,
) {
  return {
    channel_id: channelId,
    guild_id: guild.id,
    user_id: member.user.id,
    timestamp: Math.floor(Date.now() / 1_000),
    member,
  };
}
