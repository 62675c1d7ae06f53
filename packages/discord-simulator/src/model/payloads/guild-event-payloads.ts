import type { APIGuildMember, APIUser } from 'discord-api-types/v10';
import type { SimulatedGuild } from '../world.js';

/** GUILD_MEMBER_ADD: the member object plus guild_id (needs GUILD_MEMBERS). */
export function guildMemberAddPayload(guild: SimulatedGuild, user: APIUser) {
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

export function guildMemberRemovePayload(guild: SimulatedGuild, user: APIUser) {
  return { guild_id: guild.id, user };
}

/** TYPING_START in a guild channel, with the member. */
export function typingStartPayload(guild: SimulatedGuild, channelId: string, member: APIGuildMember) {
  return {
    channel_id: channelId,
    guild_id: guild.id,
    user_id: member.user.id,
    timestamp: Math.floor(Date.now() / 1_000),
    member,
  };
}
