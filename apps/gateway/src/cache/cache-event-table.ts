import { type CacheEntityKind, compactChannel, compactGuild, compactMember, compactRole } from '@dgc/shared';
import type {
  GatewayChannelCreateDispatchData,
  GatewayChannelDeleteDispatchData,
  GatewayGuildCreateDispatchData,
  GatewayGuildDeleteDispatchData,
  GatewayGuildMemberAddDispatchData,
  GatewayGuildMemberRemoveDispatchData,
  GatewayGuildMemberUpdateDispatchData,
  GatewayGuildRoleCreateDispatchData,
  GatewayGuildRoleDeleteDispatchData,
  GatewayGuildUpdateDispatchData,
  GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import type { CacheBatch, GuildReplacement } from './cache-batch.js';

/** Turns one dispatch's payload into its writes on the batch. */
export type CacheWriteOf = (data: never, batch: CacheBatch) => void;

/** Channels with a guild and a place in its list (threads come through THREAD_* events, not cached). */
function isGuildChannel(channel: { guild_id?: string }): channel is { guild_id: string } {
  return typeof channel.guild_id === 'string';
}

/**
 * Which dispatch events change the cache, and how, for the cached entities: built once at start, so the
 * router's question per event is one Map lookup and events the cache does not need cost nothing more.
 * Every write sets or deletes whole entries, so replaying an event (after a resume) writes the same state.
 */
export function cacheEventTable(entities: ReadonlySet<CacheEntityKind>): ReadonlyMap<string, CacheWriteOf> {
  const table = new Map<string, CacheWriteOf>();
  const on = <Data>(event: string, write: (data: Data, batch: CacheBatch) => void) => {
    table.set(event, write as CacheWriteOf);
  };
  if (entities.size === 0) return table;
  const guilds = entities.has('guilds');
  const channels = entities.has('channels');
  const roles = entities.has('roles');
  const members = entities.has('members');

  // A new session's GUILD_CREATE (or a guild back from an outage, or a join) replaces everything cached.
  on<GatewayGuildCreateDispatchData>('GUILD_CREATE', (guild, batch) => {
    if (guild.unavailable) {
      if (guilds) batch.setGuildFields(guild.id, { unavailable: true });
      return;
    }
    const replacement: GuildReplacement = {};
    if (guilds) replacement.guild = compactGuild({ ...guild, unavailable: false });
    if (channels) replacement.channels = guild.channels.map((channel) => compactChannel(channel, guild.id));
    if (roles) replacement.roles = guild.roles.map(compactRole);
    if (members) replacement.members = guild.members.map((member) => compactMember(member, guild.id));
    batch.replaceGuild(guild.id, replacement);
  });
  on<GatewayGuildDeleteDispatchData>('GUILD_DELETE', (guild, batch) => {
    // An outage keeps what is known, marked; anything else means the bot is no longer in the guild.
    if (guild.unavailable) {
      if (guilds) batch.setGuildFields(guild.id, { unavailable: true });
    } else batch.deleteGuild(guild.id);
  });
  if (guilds) {
    // After an identify, every guild is unavailable until its GUILD_CREATE arrives (and stays marked if
    // Discord reports an outage instead).
    on<GatewayReadyDispatchData>('READY', (ready, batch) => {
      for (const guild of ready.guilds) batch.setGuildFields(guild.id, { unavailable: true });
    });
    on<GatewayGuildUpdateDispatchData>('GUILD_UPDATE', (guild, batch) => {
      const { member_count: _notSent, ...fields } = compactGuild(guild);
      batch.setGuildFields(guild.id, fields);
    });
  }
  if (channels) {
    const setChannel = (channel: GatewayChannelCreateDispatchData, batch: CacheBatch) => {
      if (isGuildChannel(channel)) batch.setChannel(compactChannel(channel));
    };
    on('CHANNEL_CREATE', setChannel);
    on('CHANNEL_UPDATE', setChannel);
    on<GatewayChannelDeleteDispatchData>('CHANNEL_DELETE', (channel, batch) => {
      if (isGuildChannel(channel)) batch.deleteChannel(channel.guild_id, channel.id);
    });
  }
  if (roles) {
    const setRole = (data: GatewayGuildRoleCreateDispatchData, batch: CacheBatch) =>
      batch.setRole(data.guild_id, compactRole(data.role));
    on('GUILD_ROLE_CREATE', setRole);
    on('GUILD_ROLE_UPDATE', setRole);
    on<GatewayGuildRoleDeleteDispatchData>('GUILD_ROLE_DELETE', (data, batch) =>
      batch.deleteRole(data.guild_id, data.role_id),
    );
  }
  if (members) {
    on<GatewayGuildMemberAddDispatchData>('GUILD_MEMBER_ADD', (member, batch) =>
      batch.setMember(compactMember(member, member.guild_id)),
    );
    on<GatewayGuildMemberUpdateDispatchData>('GUILD_MEMBER_UPDATE', (member, batch) =>
      batch.setMember(compactMember(member, member.guild_id)),
    );
    on<GatewayGuildMemberRemoveDispatchData>('GUILD_MEMBER_REMOVE', (data, batch) =>
      batch.deleteMember(data.guild_id, data.user.id),
    );
  }
  return table;
}
