import type { APIGuildMember } from 'discord-api-types/v10';
import { guildCreatePayload } from '../../model/payloads/session-payloads.js';
import { unknownUser } from '../../model/users.js';
import type { SimulatedGuild } from '../../model/world.js';
import { asRecord, invalidFormBody, RestError, type RouteDefinition } from '../rest-route.js';
import type { RestState } from '../rest-state.js';

const maxTimeoutMs = 28 * 86_400_000;
const maxDeleteMessageSeconds = 604_800;

function guildOf(state: RestState, guildId: string): SimulatedGuild {
  const guild = state.world.guildsById.get(guildId);
  if (!guild) throw new RestError(404, { code: 10004, message: 'Unknown Guild' });
  return guild;
}

function memberOf(guild: SimulatedGuild, userId: string): APIGuildMember {
  const member = guild.members.find((candidate) => candidate.user.id === userId);
  if (!member) throw new RestError(404, { code: 10007, message: 'Unknown Member' });
  return member;
}

function replaceMember(
  state: RestState,
  guild: SimulatedGuild,
  member: APIGuildMember,
  updated: APIGuildMember,
): void {
  guild.members[guild.members.indexOf(member)] = updated;
  state.dispatch('GUILD_MEMBER_UPDATE', { ...updated, guild_id: guild.id }, guild.id);
}

function removeMember(state: RestState, guild: SimulatedGuild, userId: string): APIGuildMember | undefined {
  const index = guild.members.findIndex((candidate) => candidate.user.id === userId);
  if (index < 0) return undefined;
  const [member] = guild.members.splice(index, 1);
  guild.memberCount -= 1;
  if (member) state.dispatch('GUILD_MEMBER_REMOVE', { guild_id: guild.id, user: member.user }, guild.id);
  return member;
}

function validateDeleteMessageSeconds(body: Record<string, unknown>): void {
  const seconds = body.delete_message_seconds;
  if (
    seconds !== undefined &&
    (!Number.isInteger(seconds) || (seconds as number) < 0 || (seconds as number) > maxDeleteMessageSeconds)
  ) {
    throw invalidFormBody(
      'delete_message_seconds',
      'NUMBER_TYPE_MAX',
      `Must be between 0 and ${maxDeleteMessageSeconds}.`,
    );
  }
}

/** Bans a user (member or not); false when already banned. */
function ban(state: RestState, guild: SimulatedGuild, userId: string, reason: string | null): boolean {
  const bans = state.guildBans(guild.id);
  if (bans.has(userId)) return false;
  const user = state.world.users.get(userId) ?? unknownUser(userId);
  bans.set(userId, { userId, reason });
  removeMember(state, guild, userId);
  state.dispatch('GUILD_BAN_ADD', { guild_id: guild.id, user }, guild.id);
  return true;
}

export function guildRoutes(state: RestState): RouteDefinition[] {
  const guildMajor = ([guildId]: string[]) => guildId ?? '';
  const auditReason = (headers: Record<string, string | string[] | undefined>) => {
    const reason = headers['x-audit-log-reason'];
    return typeof reason === 'string' ? decodeURIComponent(reason) : null;
  };
  /** `/guilds/{guild}/members/{user}` and `/guilds/{guild}/bans/{user}` share shape, bucket and major parameter. */
  const guildUserRoute = (
    resource: 'members' | 'bans',
    method: string,
    handle: RouteDefinition['handle'],
  ): RouteDefinition => ({
    method,
    pattern: new RegExp(`^/guilds/(\\d+)/${resource}/(\\d+)/?$`),
    route: ([guildId, userId]) => `/guilds/${guildId}/${resource}/${userId}`,
    bucket: resource === 'members' ? state.policies.member : state.policies.bans,
    majorParameter: guildMajor,
    handle,
  });
  return [
    {
      method: 'GET',
      pattern: /^\/guilds\/(\d+)\/?$/,
      route: ([guildId]) => `/guilds/${guildId}`,
      bucket: state.policies.getGuild,
      majorParameter: guildMajor,
      handle: ({ params: [guildId = ''] }) => {
        const {
          members: _m,
          channels: _c,
          voice_states: _v,
          presences: _p,
          threads: _t,
          ...guild
        } = guildCreatePayload(guildOf(state, guildId), 250) as unknown as Record<string, unknown>;
        // REST's guild object has fields the gateway's omits (Discord's GuildWithCountsResponse).
        const restOnly = {
          home_header: null,
          region: 'deprecated',
          widget_enabled: false,
          widget_channel_id: null,
          max_presences: null,
          max_members: 500_000,
          max_stage_video_channel_users: 50,
          max_video_channel_users: 25,
          nsfw: false,
        };
        return { status: 200, body: { ...guild, ...restOnly } };
      },
    },
    guildUserRoute('members', 'GET', ({ params: [guildId = '', userId = ''] }) => ({
      status: 200,
      body: memberOf(guildOf(state, guildId), userId),
    })),
    guildUserRoute('members', 'PATCH', ({ body, params: [guildId = '', userId = ''] }) => {
      const guild = guildOf(state, guildId);
      const member = memberOf(guild, userId);
      const payload = asRecord(body);
      const until = payload.communication_disabled_until;
      if (until !== undefined && until !== null) {
        const at = typeof until === 'string' ? Date.parse(until) : Number.NaN;
        if (Number.isNaN(at))
          throw invalidFormBody(
            'communication_disabled_until',
            'DATE_TYPE_PARSE',
            'Could not parse the date.',
          );
        if (at - Date.now() > maxTimeoutMs) {
          throw invalidFormBody(
            'communication_disabled_until',
            'BASE_TYPE_BAD_TIME',
            'Timeouts are limited to 28 days.',
          );
        }
      }
      if (
        payload.nick !== undefined &&
        payload.nick !== null &&
        (typeof payload.nick !== 'string' || payload.nick.length > 32)
      ) {
        throw invalidFormBody('nick', 'BASE_TYPE_MAX_LENGTH', 'Must be 32 or fewer in length.');
      }
      const updated = {
        ...member,
        ...(until !== undefined ? { communication_disabled_until: until as string | null } : {}),
        ...(payload.nick !== undefined ? { nick: payload.nick as string | null } : {}),
      };
      replaceMember(state, guild, member, updated);
      return { status: 200, body: updated };
    }),
    guildUserRoute('members', 'DELETE', ({ params: [guildId = '', userId = ''] }) => {
      const guild = guildOf(state, guildId);
      memberOf(guild, userId);
      removeMember(state, guild, userId);
      return { status: 204 };
    }),
    ...(['PUT', 'DELETE'] as const).map(
      (method): RouteDefinition => ({
        method,
        pattern: /^\/guilds\/(\d+)\/members\/(\d+)\/roles\/(\d+)\/?$/,
        route: ([guildId, userId, roleId]) => `/guilds/${guildId}/members/${userId}/roles/${roleId}`,
        bucket: state.policies.memberRoles,
        majorParameter: guildMajor,
        handle: ({ params: [guildId = '', userId = '', roleId = ''] }) => {
          const guild = guildOf(state, guildId);
          const member = memberOf(guild, userId);
          if (!guild.roles.some((role) => role.id === roleId))
            throw new RestError(404, { code: 10011, message: 'Unknown Role' });
          const roles =
            method === 'PUT'
              ? [...new Set([...member.roles, roleId])]
              : member.roles.filter((id) => id !== roleId);
          const updated = { ...member, roles };
          replaceMember(state, guild, member, updated);
          return { status: 204 };
        },
      }),
    ),
    {
      method: 'GET',
      pattern: /^\/guilds\/(\d+)\/bans\/?$/,
      route: ([guildId]) => `/guilds/${guildId}/bans`,
      bucket: state.policies.bans,
      majorParameter: guildMajor,
      handle: ({ params: [guildId = ''], query }) => {
        guildOf(state, guildId);
        const limit = Number(query.get('limit') ?? 1_000);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1_000)
          throw invalidFormBody('limit', 'NUMBER_TYPE_MAX', 'Must be between 1 and 1000.');
        const after = BigInt(query.get('after') ?? '0');
        const before = query.get('before') ? BigInt(query.get('before') as string) : undefined;
        const bans = [...state.guildBans(guildId).values()]
          .filter(
            (entry) =>
              BigInt(entry.userId) > after && (before === undefined || BigInt(entry.userId) < before),
          )
          .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
          .slice(0, limit)
          .map((entry) => ({
            reason: entry.reason,
            user: state.world.users.get(entry.userId) ?? unknownUser(entry.userId),
          }));
        return { status: 200, body: bans };
      },
    },
    guildUserRoute('bans', 'GET', ({ params: [guildId = '', userId = ''] }) => {
      guildOf(state, guildId);
      const entry = state.guildBans(guildId).get(userId);
      if (!entry) throw new RestError(404, { code: 10026, message: 'Unknown Ban' });
      return {
        status: 200,
        body: { reason: entry.reason, user: state.world.users.get(userId) ?? unknownUser(userId) },
      };
    }),
    guildUserRoute('bans', 'PUT', ({ body, params: [guildId = '', userId = ''], request }) => {
      const guild = guildOf(state, guildId);
      validateDeleteMessageSeconds(asRecord(body));
      ban(state, guild, userId, auditReason(request.headers));
      return { status: 204 };
    }),
    guildUserRoute('bans', 'DELETE', ({ params: [guildId = '', userId = ''] }) => {
      guildOf(state, guildId);
      const bans = state.guildBans(guildId);
      if (!bans.delete(userId)) throw new RestError(404, { code: 10026, message: 'Unknown Ban' });
      state.dispatch(
        'GUILD_BAN_REMOVE',
        { guild_id: guildId, user: state.world.users.get(userId) ?? unknownUser(userId) },
        guildId,
      );
      return { status: 204 };
    }),
    {
      method: 'POST',
      pattern: /^\/guilds\/(\d+)\/bulk-ban\/?$/,
      route: ([guildId]) => `/guilds/${guildId}/bulk-ban`,
      bucket: state.policies.bulkBan,
      majorParameter: guildMajor,
      handle: ({ body, params: [guildId = ''], request }) => {
        const guild = guildOf(state, guildId);
        const payload = asRecord(body);
        const userIds = payload.user_ids;
        if (
          !Array.isArray(userIds) ||
          userIds.length === 0 ||
          !userIds.every((id) => typeof id === 'string' && /^\d{1,20}$/.test(id))
        ) {
          throw invalidFormBody(
            'user_ids',
            'BASE_TYPE_REQUIRED',
            'This field is required and must list user ids.',
          );
        }
        if (userIds.length > 200)
          throw invalidFormBody('user_ids', 'BASE_TYPE_MAX_LENGTH', 'Must be 200 or fewer in length.');
        validateDeleteMessageSeconds(payload);
        const reason = auditReason(request.headers);
        const banned: string[] = [];
        const failed: string[] = [];
        for (const userId of userIds as string[])
          (ban(state, guild, userId, reason) ? banned : failed).push(userId);
        if (banned.length === 0) throw new RestError(400, { code: 500_000, message: 'Failed to ban users' });
        return { status: 200, body: { banned_users: banned, failed_users: failed } };
      },
    },
  ];
}
