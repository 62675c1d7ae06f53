import {
  type CachedChannel,
  type CachedEmoji,
  type CachedGuild,
  type CachedMember,
  type CachedRole,
  type CachedThread,
  type CachedThreadMember,
  type CacheEntityKind,
  cacheEntityKinds,
  guildHashFields,
  threadMemberField,
} from '@dgc/shared';

/** A count per cached entity, all zero. */
export function entityCounts(): Record<CacheEntityKind, number> {
  return Object.fromEntries(cacheEntityKinds.map((entity) => [entity, 0])) as Record<CacheEntityKind, number>;
}

/** What a GUILD_CREATE replaces; a collection left undefined is not cached (not touched). */
export interface GuildReplacement {
  guild?: CachedGuild;
  channels?: CachedChannel[];
  roles?: CachedRole[];
  members?: CachedMember[];
  threads?: CachedThread[];
  threadMembers?: CachedThreadMember[];
  emojis?: CachedEmoji[];
}

/** A GUILD_CREATE's replacement as the script's arguments: serialised once, when the dispatch arrives. */
export interface SerializedGuildReplacement {
  guildId: string;
  args: (string | number)[];
  /** Channels and threads: the channel index maps each to the guild. */
  channelIds: string[];
  counts: Record<CacheEntityKind, number>;
  /** Entries written: what the replacement costs while it waits (the writer bounds the sum). */
  weight: number;
}

/**
 * Serialises a replacement to the replaceGuild script's arguments. Done as the dispatch arrives, so a
 * waiting GUILD_CREATE holds a few short strings rather than its raw payload (hundreds of objects).
 */
export function serializeGuildReplacement(
  guildId: string,
  replacement: GuildReplacement,
): SerializedGuildReplacement {
  const guildArgs = replacement.guild ? guildHashFields(replacement.guild) : [];
  const args: (string | number)[] = [
    guildArgs.length,
    replacement.channels?.length ?? -1,
    replacement.roles?.length ?? -1,
    replacement.members?.length ?? -1,
    replacement.threads?.length ?? -1,
    replacement.threadMembers?.length ?? -1,
    replacement.emojis ? JSON.stringify(replacement.emojis) : '',
    ...guildArgs,
  ];
  for (const channel of replacement.channels ?? []) args.push(channel.id, JSON.stringify(channel));
  for (const role of replacement.roles ?? []) args.push(role.id, JSON.stringify(role));
  for (const member of replacement.members ?? []) args.push(member.id, JSON.stringify(member));
  for (const thread of replacement.threads ?? []) args.push(thread.id, JSON.stringify(thread));
  for (const member of replacement.threadMembers ?? [])
    args.push(threadMemberField(member.id, member.user_id), JSON.stringify(member));
  const counts = entityCounts();
  counts.guilds = replacement.guild ? 1 : 0;
  for (const entity of ['channels', 'roles', 'members', 'threads', 'threadMembers', 'emojis'] as const)
    counts[entity] = replacement[entity]?.length ?? 0;
  const channelIds = [...(replacement.channels ?? []), ...(replacement.threads ?? [])].map(({ id }) => id);
  return {
    guildId,
    args,
    channelIds,
    counts,
    weight: 1 + channelIds.length + counts.roles + counts.members + counts.threadMembers + counts.emojis,
  };
}
