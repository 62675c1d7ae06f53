import { threadMemberPayload } from '../../model/payloads/thread-payloads.js';
import type { SimulatedGuild, SimulatedThread, SimulatedThreadMember } from '../../model/world.js';
import { invalidFormBody, RestError, type RouteDefinition } from '../rest-route.js';
import type { RestState } from '../rest-state.js';

const snowflake = /^\d{1,20}$/;

/** A thread member as REST returns it; with `with_member=true`, with the user's guild member when there is one. */
function threadMemberObject(
  guild: SimulatedGuild,
  thread: SimulatedThread,
  member: SimulatedThreadMember,
  withMember: boolean,
): Record<string, unknown> {
  const payload = threadMemberPayload(thread, member);
  if (!withMember) return payload;
  const guildMember = guild.members.find((candidate) => candidate.user.id === member.userId);
  return guildMember ? { ...payload, member: guildMember } : payload;
}

/**
 * A thread's members (GET /channels/{id}/thread-members) and one membership
 * (GET /channels/{id}/thread-members/{user}). On v10 the list is paged (`after`, `limit` 1–100, by user
 * id) only with `with_member=true`; without it, every member comes at once, as Discord documents.
 */
export function threadMemberRoutes(state: RestState): RouteDefinition[] {
  const channelMajor = ([channelId]: string[]) => channelId ?? '';
  const threadOf = (channelId: string) => {
    const found = state.thread(channelId);
    if (found) return found;
    if (state.world.channels.has(channelId))
      throw new RestError(400, { code: 50024, message: 'Cannot execute action on this channel type' });
    throw new RestError(404, { code: 10003, message: 'Unknown Channel' });
  };
  return [
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/thread-members\/?$/,
      route: ([channelId]) => `/channels/${channelId}/thread-members`,
      bucket: state.policies.threadMembers,
      majorParameter: channelMajor,
      handle: ({ params: [channelId = ''], query }) => {
        const { guild, thread } = threadOf(channelId);
        const withMember = query.get('with_member') === 'true';
        const members = [...thread.members].sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1));
        if (!withMember) {
          return {
            status: 200,
            body: members.map((member) => threadMemberObject(guild, thread, member, false)),
          };
        }
        const limit = Number(query.get('limit') ?? 100);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100)
          throw invalidFormBody('limit', 'NUMBER_TYPE_MAX', 'int value should be between 1 and 100.');
        const after = query.get('after') ?? '0';
        if (!snowflake.test(after))
          throw invalidFormBody('after', 'NUMBER_TYPE_COERCE', `Value "${after}" is not snowflake.`);
        const page = members.filter((member) => BigInt(member.userId) > BigInt(after)).slice(0, limit);
        return { status: 200, body: page.map((member) => threadMemberObject(guild, thread, member, true)) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/channels\/(\d+)\/thread-members\/(\d+)\/?$/,
      route: ([channelId, userId]) => `/channels/${channelId}/thread-members/${userId}`,
      bucket: state.policies.threadMembers,
      majorParameter: channelMajor,
      handle: ({ params: [channelId = '', userId = ''], query }) => {
        const { guild, thread } = threadOf(channelId);
        const member = thread.members.find((candidate) => candidate.userId === userId);
        if (!member) throw new RestError(404, { code: 10007, message: 'Unknown Member' });
        const withMember = query.get('with_member') === 'true';
        return { status: 200, body: threadMemberObject(guild, thread, member, withMember) };
      },
    },
  ];
}
