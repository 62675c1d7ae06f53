import type { SimulatedGuild, SimulatedThread, SimulatedThreadMember } from '@dgc/discord-simulator';
import { type CachedThread, type CachedThreadMember, RedisKeys, threadMemberField } from '@dgc/shared';
import type { TestCluster } from './cluster.js';

/** A world thread in the cache's compact form. */
export function expectedThread(guild: SimulatedGuild, thread: SimulatedThread): CachedThread {
  return {
    id: thread.id,
    guild_id: guild.id,
    parent_id: thread.parentId,
    type: thread.type,
    name: thread.name,
    owner_id: thread.ownerId,
    thread_metadata: {
      archived: thread.archived,
      locked: thread.locked,
      auto_archive_duration: thread.autoArchiveDuration,
      archive_timestamp: thread.archiveTimestamp,
      ...(thread.invitable === undefined ? {} : { invitable: thread.invitable }),
    },
    rate_limit_per_user: thread.rateLimitPerUser,
    flags: thread.flags,
  };
}

/** A world thread membership in the cache's compact form. */
export function expectedThreadMember(
  thread: SimulatedThread,
  member: SimulatedThreadMember,
): CachedThreadMember {
  return { id: thread.id, user_id: member.userId, join_timestamp: member.joinTimestamp, flags: member.flags };
}

/**
 * Every difference between the gateways' state cache in Redis and the simulator's world, compared field
 * by field: each guild's skeleton, every channel (with its overwrites), role, thread (archived ones too: no
 * new session began after they were archived) and emoji, and every cached member (members are cached from
 * GUILD_CREATE and member events, so the cache holds a subset of them). Thread memberships likewise: every
 * cached one is the world's, and with `threadMembersSince` (when the first gateway started) every one made
 * since must be cached (GUILD_CREATE names only the bot's; later joins and leaves are all announced).
 */
export async function differences(
  cluster: TestCluster,
  options: { threadMembersSince?: number } = {},
): Promise<string[]> {
  const redis = cluster.probe.redis;
  const keys = new RedisKeys(cluster.keyPrefix);
  const found: string[] = [];
  const index = await redis.hgetall(keys.cachedChannelGuilds());
  const indexedChannels = new Set(Object.keys(index));
  for (const guild of cluster.simulator.guilds) {
    const guildKeys = keys.guildCache(guild.id);
    const [stored, channels, roles, members, threads, threadMembers, emojis] = await Promise.all([
      redis.hgetall(guildKeys.guild),
      redis.hgetall(guildKeys.channels),
      redis.hgetall(guildKeys.roles),
      redis.hgetall(guildKeys.members),
      redis.hgetall(guildKeys.threads),
      redis.hgetall(guildKeys.threadMembers),
      redis.get(guildKeys.emojis),
    ]);
    const field = (name: string) => (stored[name] === undefined ? undefined : JSON.parse(stored[name]));
    const expectField = (name: string, expected: unknown) => {
      if (JSON.stringify(field(name)) !== JSON.stringify(expected))
        found.push(`guild ${guild.id} ${name}: ${JSON.stringify(field(name))} ≠ ${JSON.stringify(expected)}`);
    };
    expectField('name', guild.name);
    expectField('owner_id', guild.ownerId);
    expectField('unavailable', false);

    const expectedChannels = new Map(
      guild.channels.map((channel) => [
        channel.id,
        {
          id: channel.id,
          guild_id: guild.id,
          type: channel.type,
          name: channel.name,
          position: channel.position,
          parent_id: channel.parentId ?? null,
          permission_overwrites: channel.permissionOverwrites ?? [],
        },
      ]),
    );
    compareCollection(found, `guild ${guild.id} channel`, channels, expectedChannels);
    for (const id of expectedChannels.keys()) {
      indexedChannels.delete(id);
      if (index[id] !== guild.id) found.push(`channel index ${id}: ${index[id]} ≠ ${guild.id}`);
    }

    const expectedRoles = new Map(
      guild.roles.map((role) => [
        role.id,
        {
          id: role.id,
          name: role.name,
          permissions: role.permissions,
          position: role.position,
          managed: role.managed,
          color: role.color,
          hoist: role.hoist,
          mentionable: role.mentionable,
        },
      ]),
    );
    compareCollection(found, `guild ${guild.id} role`, roles, expectedRoles);

    const expectedThreads = new Map(
      guild.threads.map((thread) => [thread.id, expectedThread(guild, thread)]),
    );
    compareCollection(found, `guild ${guild.id} thread`, threads, expectedThreads);
    for (const id of expectedThreads.keys()) {
      indexedChannels.delete(id);
      if (index[id] !== guild.id) found.push(`thread index ${id}: ${index[id]} ≠ ${guild.id}`);
    }
    const expectedEmojis = JSON.stringify(
      guild.emojis.map((emoji) => ({
        id: emoji.id,
        name: emoji.name,
        animated: emoji.animated ?? false,
        available: emoji.available ?? true,
        roles: emoji.roles ?? [],
        managed: emoji.managed ?? false,
        require_colons: emoji.require_colons ?? true,
      })),
    );
    if (emojis !== expectedEmojis) found.push(`guild ${guild.id} emojis: ${emojis} ≠ ${expectedEmojis}`);

    compareThreadMembers(found, guild, threadMembers, options.threadMembersSince);

    const worldMembers = new Map(guild.members.map((member) => [member.user.id, member]));
    for (const [userId, json] of Object.entries(members)) {
      const member = worldMembers.get(userId);
      if (!member) {
        found.push(`guild ${guild.id} member ${userId}: cached but not in the guild`);
        continue;
      }
      const expected = {
        id: userId,
        guild_id: guild.id,
        roles: member.roles,
        nick: member.nick ?? null,
        communication_disabled_until: member.communication_disabled_until ?? null,
        joined_at: member.joined_at ?? null,
      };
      if (json !== JSON.stringify(expected))
        found.push(`guild ${guild.id} member ${userId}: ${json} ≠ ${JSON.stringify(expected)}`);
    }
    // Members who joined during the test were announced one by one: each must be cached.
    for (const member of guild.members) {
      if (member.user.username.startsWith('joiner') && members[member.user.id] === undefined)
        found.push(`guild ${guild.id} member ${member.user.id}: joined but not cached`);
    }
  }
  for (const id of indexedChannels) found.push(`channel index ${id}: no such channel`);
  return found;
}

function compareThreadMembers(
  found: string[],
  guild: SimulatedGuild,
  stored: Record<string, string>,
  since: number | undefined,
): void {
  const label = `guild ${guild.id} thread member`;
  for (const thread of guild.threads) {
    for (const member of thread.members) {
      const field = threadMemberField(thread.id, member.userId);
      const expected = JSON.stringify(expectedThreadMember(thread, member));
      const json = stored[field];
      if (json === undefined) {
        if (since !== undefined && Date.parse(member.joinTimestamp) > since)
          found.push(`${label} ${field}: joined but not cached`);
      } else if (json !== expected) found.push(`${label} ${field}: ${json} ≠ ${expected}`);
      delete stored[field];
    }
  }
  for (const field of Object.keys(stored)) found.push(`${label} ${field}: cached but not in the thread`);
}

function compareCollection(
  found: string[],
  label: string,
  stored: Record<string, string>,
  expected: Map<string, object>,
): void {
  for (const [id, entity] of expected) {
    if (stored[id] === undefined) found.push(`${label} ${id}: missing`);
    else if (stored[id] !== JSON.stringify(entity))
      found.push(`${label} ${id}: ${stored[id]} ≠ ${JSON.stringify(entity)}`);
  }
  for (const id of Object.keys(stored))
    if (!expected.has(id)) found.push(`${label} ${id}: deleted but cached`);
}
