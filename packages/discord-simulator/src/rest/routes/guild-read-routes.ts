import { ChannelType } from 'discord-api-types/v10';
import type { SimulatedChannel, SimulatedGuild } from '../../model/world.js';
import { invalidFormBody, RestError, type RouteDefinition } from '../rest-route.js';
import type { RestState } from '../rest-state.js';

/** A guild channel as REST returns it (GET /guilds/{id}/channels, GET /channels/{id}). */
export function guildChannelObject(channel: SimulatedChannel, guildId: string): Record<string, unknown> {
  return {
    id: channel.id,
    type: channel.type,
    guild_id: guildId,
    name: channel.name,
    position: channel.position,
    flags: 0,
    permission_overwrites: channel.permissionOverwrites ?? [],
    parent_id: channel.parentId ?? null,
    nsfw: false,
    ...(channel.type === ChannelType.GuildText
      ? { topic: null, last_message_id: null, rate_limit_per_user: 0 }
      : { bitrate: 64_000, user_limit: 0, rtc_region: null, last_message_id: null, rate_limit_per_user: 0 }),
  };
}

function positiveSnowflake(value: string | null, field: string): bigint {
  if (value === null) return 0n;
  if (!/^\d{1,20}$/.test(value))
    throw invalidFormBody(field, 'NUMBER_TYPE_COERCE', `Value "${value}" is not snowflake.`);
  return BigInt(value);
}

/** Read routes a moderation bot uses: a guild's channels, roles, emojis and member list, and user lookup. */
export function guildReadRoutes(state: RestState): RouteDefinition[] {
  const guildOf = (guildId: string): SimulatedGuild => {
    const guild = state.world.guildsById.get(guildId);
    if (!guild) throw new RestError(404, { code: 10004, message: 'Unknown Guild' });
    return guild;
  };
  const guildMajor = ([guildId]: string[]) => guildId ?? '';
  const guildList = (resource: string, handle: RouteDefinition['handle']): RouteDefinition => ({
    method: 'GET',
    pattern: new RegExp(`^/guilds/(\\d+)/${resource}/?$`),
    route: ([guildId]) => `/guilds/${guildId}/${resource}`,
    bucket: state.policies.guildResources,
    majorParameter: guildMajor,
    handle,
  });
  return [
    guildList('channels', ({ params: [guildId = ''] }) => ({
      status: 200,
      body: guildOf(guildId).channels.map((channel) => guildChannelObject(channel, guildId)),
    })),
    guildList('roles', ({ params: [guildId = ''] }) => ({ status: 200, body: guildOf(guildId).roles })),
    // Members in ascending user id after `after`, at most `limit` (1–1000, default 1), as Discord pages them.
    guildList('members', ({ params: [guildId = ''], query }) => {
      const guild = guildOf(guildId);
      const limit = Number(query.get('limit') ?? 1);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
        throw invalidFormBody('limit', 'NUMBER_TYPE_MAX', 'int value should be between 1 and 1000.');
      const after = positiveSnowflake(query.get('after'), 'after');
      const members = guild.members
        .filter((member) => BigInt(member.user.id) > after)
        .sort((a, b) => (BigInt(a.user.id) < BigInt(b.user.id) ? -1 : 1))
        .slice(0, limit);
      return { status: 200, body: members };
    }),
    // A guild's custom emojis; `user` (who uploaded it) is left out, as Discord does without the
    // CREATE_GUILD_EXPRESSIONS or MANAGE_GUILD_EXPRESSIONS permission.
    {
      method: 'GET',
      pattern: /^\/guilds\/(\d+)\/emojis\/?$/,
      route: ([guildId]) => `/guilds/${guildId}/emojis`,
      bucket: state.policies.emojis,
      majorParameter: guildMajor,
      handle: ({ params: [guildId = ''] }) => ({ status: 200, body: guildOf(guildId).emojis }),
    },
    {
      method: 'GET',
      pattern: /^\/guilds\/(\d+)\/emojis\/(\d+)\/?$/,
      route: ([guildId, emojiId]) => `/guilds/${guildId}/emojis/${emojiId}`,
      bucket: state.policies.emojis,
      majorParameter: guildMajor,
      handle: ({ params: [guildId = '', emojiId = ''] }) => {
        const emoji = guildOf(guildId).emojis.find((candidate) => candidate.id === emojiId);
        if (!emoji) throw new RestError(404, { code: 10014, message: 'Unknown Emoji' });
        return { status: 200, body: emoji };
      },
    },
    {
      method: 'GET',
      pattern: /^\/users\/(\d+)\/?$/,
      route: ([userId]) => `/users/${userId}`,
      bucket: state.policies.getUser,
      handle: ({ params: [userId = ''] }) => {
        const user = state.world.users.get(userId);
        if (!user) throw new RestError(404, { code: 10013, message: 'Unknown User' });
        return { status: 200, body: user };
      },
    },
    {
      method: 'GET',
      pattern: /^\/(?:oauth2\/)?applications\/@me\/?$/,
      route: () => '/applications/@me',
      handle: () => ({ status: 200, body: applicationObject(state) }),
    },
  ];
}

/** The bot's own application (GET /applications/@me), with the fields Discord always sends. */
function applicationObject(state: RestState): Record<string, unknown> {
  const { application, botUser } = state.world;
  return {
    id: application.id,
    name: botUser.username,
    icon: null,
    description: '',
    type: null,
    bot: botUser,
    summary: '',
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: application.flags,
    flags_new: String(application.flags),
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    owner: botUser,
    approximate_guild_count: state.world.guilds.length,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    explicit_content_filter: 0,
    team: null,
    eligible_oauth2_scopes: ['bot', 'applications.commands'],
    hook: true,
    integration_types_config: { '0': {} },
    tags: [],
  };
}
