import type { SimulatedGuild, SimulatedThread, SimulatedThreadMember } from '../world.js';

/** Discord's `member_count` on a thread is approximate: it stops counting at 50. */
const memberCountCap = 50;

/** A thread channel object as THREAD_CREATE/UPDATE, THREAD_LIST_SYNC, GUILD_CREATE and GET /channels/{id} carry it. */
export function threadPayload(guild: SimulatedGuild, thread: SimulatedThread) {
  return {
    id: thread.id,
    guild_id: guild.id,
    parent_id: thread.parentId,
    owner_id: thread.ownerId,
    type: thread.type,
    name: thread.name,
    last_message_id: null,
    rate_limit_per_user: thread.rateLimitPerUser,
    flags: thread.flags,
    message_count: 0,
    member_count: Math.min(thread.members.length, memberCountCap),
    total_message_sent: 0,
    thread_metadata: {
      archived: thread.archived,
      locked: thread.locked,
      auto_archive_duration: thread.autoArchiveDuration,
      archive_timestamp: thread.archiveTimestamp,
      create_timestamp: thread.archiveTimestamp,
      ...(thread.invitable === undefined ? {} : { invitable: thread.invitable }),
    },
  };
}

/** A thread member object (THREAD_MEMBERS_UPDATE, THREAD_MEMBER_UPDATE, THREAD_LIST_SYNC, REST). */
export function threadMemberPayload(thread: SimulatedThread, member: SimulatedThreadMember) {
  return {
    id: thread.id,
    user_id: member.userId,
    join_timestamp: member.joinTimestamp,
    flags: member.flags,
  };
}

/**
 * The guild's active threads (what GUILD_CREATE and THREAD_LIST_SYNC carry: never archived ones). With
 * `botUserId` (GUILD_CREATE), each thread the bot is in carries its membership as `member`, without the
 * `id` and `user_id` Discord leaves out there.
 */
export function activeThreadPayloads(
  guild: SimulatedGuild,
  options: { parentIds?: ReadonlySet<string>; botUserId?: string } = {},
) {
  const { parentIds, botUserId } = options;
  return guild.threads
    .filter((thread) => !thread.archived && (!parentIds || parentIds.has(thread.parentId)))
    .map((thread) => {
      const payload = threadPayload(guild, thread);
      const own = botUserId === undefined ? undefined : botMembership(thread, botUserId);
      return own ? { ...payload, member: { join_timestamp: own.joinTimestamp, flags: own.flags } } : payload;
    });
}

export function botMembership(thread: SimulatedThread, botUserId: string): SimulatedThreadMember | undefined {
  return thread.members.find((member) => member.userId === botUserId);
}
