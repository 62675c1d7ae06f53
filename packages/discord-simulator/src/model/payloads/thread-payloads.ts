import type { SimulatedGuild, SimulatedThread } from '../world.js';

/** A thread channel object as THREAD_CREATE/UPDATE, THREAD_LIST_SYNC and GUILD_CREATE carry it. */
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
    member_count: 1,
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

/** The guild's active threads (what GUILD_CREATE and THREAD_LIST_SYNC carry: never archived ones). */
export function activeThreadPayloads(guild: SimulatedGuild, parentIds?: ReadonlySet<string>) {
  return guild.threads
    .filter((thread) => !thread.archived && (!parentIds || parentIds.has(thread.parentId)))
    .map((thread) => threadPayload(guild, thread));
}
