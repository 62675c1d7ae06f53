import {
  ChannelType,
  type GatewayGuildCreateDispatchData,
  type GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import type { SimulatedGuild, SimulatedWorld } from '../world.js';
import { activeThreadPayloads } from './thread-payloads.js';

/** READY: the bot user, the shard's guilds (unavailable until their GUILD_CREATE) and the resume URL. */
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

/**
 * GUILD_CREATE as a session receives it after READY; GET /guilds/{id} answers from it too. With
 * `botUserId`, the threads the bot is in carry its membership.
 */
export function guildCreatePayload(
  guild: SimulatedGuild,
  largeThreshold: number,
  botUserId?: string,
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
    emojis: guild.emojis,
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
    threads: activeThreadPayloads(guild, botUserId === undefined ? {} : { botUserId }),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  } as unknown as GatewayGuildCreateDispatchData;
}
