import {
  type APIGuildMember,
  type APIOverwrite,
  type APIRole,
  ChannelType,
  OverwriteType,
  type RoleFlags,
} from 'discord-api-types/v10';
import { guildMemberAddPayload } from './payloads/guild-event-payloads.js';
import type { SeededRandom } from './seeded-random.js';
import type { SnowflakeGenerator } from './snowflake.js';
import {
  defaultStateMutationMix,
  type StateMutationKind,
  type StateMutationMix,
} from './state-mutation-mix.js';
import { ThreadAndEmojiMutations } from './thread-emoji-mutations.js';
import { ThreadMemberMutations } from './thread-member-mutations.js';
import { userObject } from './users.js';
import type { SimulatedChannel, SimulatedGuild, SimulatedWorld } from './world.js';

export interface StateMutationsOptions {
  world: SimulatedWorld;
  ids: SnowflakeGenerator;
  random: SeededRandom;
  /** Sends a dispatch to the shard of `guildId`, as the simulator sends every event. */
  dispatch(event: string, data: unknown, guildId: string): void;
}

const permissionChoices = ['0', '1024', '2048', '3072', '8192', '65536', '1099511627775', '8'];

/**
 * Random changes to guilds, channels, roles, members, threads, thread members and emojis: each updates the simulated world first, then
 * dispatches what Discord would send, so the world stays the ground truth a gateway's cache is compared
 * with. Deleting a role also takes it off its members, each with a GUILD_MEMBER_UPDATE.
 */
export class StateMutations {
  readonly #world: SimulatedWorld;
  readonly #ids: SnowflakeGenerator;
  readonly #random: SeededRandom;
  readonly #dispatch: StateMutationsOptions['dispatch'];
  readonly #threadsAndEmojis: ThreadAndEmojiMutations;
  readonly #threadMembers: ThreadMemberMutations;

  constructor(options: StateMutationsOptions) {
    this.#world = options.world;
    this.#ids = options.ids;
    this.#random = options.random;
    this.#dispatch = options.dispatch;
    const botUserId = options.world.botUser.id;
    this.#threadsAndEmojis = new ThreadAndEmojiMutations({ ...options, botUserId });
    this.#threadMembers = new ThreadMemberMutations({ ...options, botUserId });
  }

  /** Makes `count` changes in random guilds (or only `guildIds`), kinds drawn by `mix`; returns the counts made. */
  apply(
    count: number,
    options: { mix?: StateMutationMix; guildIds?: readonly string[] } = {},
  ): Record<string, number> {
    const mix = Object.entries(options.mix ?? defaultStateMutationMix).filter(([, weight]) => weight > 0);
    const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
    const guilds = options.guildIds ? options.guildIds.map((id) => this.#guild(id)) : this.#world.guilds;
    const made: Record<string, number> = {};
    for (let index = 0; index < count; index += 1) {
      const kind = this.#draw(mix, total);
      const guild = this.#random.pick(guilds);
      if (this.#changes[kind as StateMutationKind](guild)) made[kind] = (made[kind] ?? 0) + 1;
    }
    return made;
  }

  /** A kind picked with probability proportional to its weight. */
  #draw(mix: readonly [string, number][], total: number): string {
    let remaining = this.#random.next() * total;
    for (const [kind, weight] of mix) {
      remaining -= weight;
      if (remaining < 0) return kind;
    }
    return mix[0]?.[0] ?? 'GUILD_UPDATE';
  }

  /** Each kind's change; each answers whether it could be made (a guild at its minimum has nothing to delete). */
  readonly #changes: Record<StateMutationKind, (guild: SimulatedGuild) => boolean> = {
    GUILD_UPDATE: (guild) => this.#updateGuild(guild),
    CHANNEL_CREATE: (guild) => this.#createChannel(guild),
    CHANNEL_UPDATE: (guild) => this.#updateChannel(guild),
    CHANNEL_DELETE: (guild) => this.#deleteChannel(guild),
    GUILD_ROLE_CREATE: (guild) => this.#createRole(guild),
    GUILD_ROLE_UPDATE: (guild) => this.#updateRole(guild),
    GUILD_ROLE_DELETE: (guild) => this.#deleteRole(guild),
    GUILD_MEMBER_ADD: (guild) => this.#addMember(guild),
    GUILD_MEMBER_UPDATE: (guild) => this.#updateMember(guild),
    GUILD_MEMBER_REMOVE: (guild) => this.#removeMember(guild),
    THREAD_CREATE: (guild) => this.#threadsAndEmojis.createThread(guild),
    THREAD_UPDATE: (guild) => this.#threadsAndEmojis.updateThread(guild),
    THREAD_DELETE: (guild) => this.#threadsAndEmojis.deleteThread(guild),
    THREAD_LIST_SYNC: (guild) => this.#threadsAndEmojis.syncThreads(guild),
    THREAD_MEMBERS_UPDATE: (guild) => this.#threadMembers.updateThreadMembers(guild),
    THREAD_MEMBER_UPDATE: (guild) => this.#threadMembers.updateBotThreadMember(guild),
    GUILD_EMOJIS_UPDATE: (guild) => this.#threadsAndEmojis.updateEmojis(guild),
  };

  #updateGuild(guild: SimulatedGuild): boolean {
    guild.name = `Guild ${this.#random.hex(6)}`;
    const humans = guild.members.filter((member) => !member.user.bot);
    if (humans.length > 0 && this.#random.next() < 0.3) guild.ownerId = this.#random.pick(humans).user.id;
    this.#dispatch(
      'GUILD_UPDATE',
      {
        id: guild.id,
        name: guild.name,
        owner_id: guild.ownerId,
        icon: null,
        roles: guild.roles,
        emojis: guild.emojis,
        features: [],
      },
      guild.id,
    );
    return true;
  }

  #channelPayload(guild: SimulatedGuild, channel: SimulatedChannel) {
    return {
      id: channel.id,
      guild_id: guild.id,
      type: channel.type,
      name: channel.name,
      position: channel.position,
      parent_id: channel.parentId ?? null,
      permission_overwrites: channel.permissionOverwrites ?? [],
      nsfw: false,
    };
  }

  #randomOverwrites(guild: SimulatedGuild): APIOverwrite[] {
    const overwrites: APIOverwrite[] = [];
    const targets = new Set<string>();
    for (let index = this.#random.int(4); index > 0; index -= 1) {
      const onMember = this.#random.next() < 0.3;
      const id = onMember ? this.#random.pick(guild.members).user.id : this.#random.pick(guild.roles).id;
      if (targets.has(id)) continue;
      targets.add(id);
      overwrites.push({
        id,
        type: onMember ? OverwriteType.Member : OverwriteType.Role,
        allow: this.#random.pick(permissionChoices),
        deny: this.#random.pick(permissionChoices),
      });
    }
    return overwrites;
  }

  #createChannel(guild: SimulatedGuild): boolean {
    const channel: SimulatedChannel = {
      id: this.#ids.next(),
      name: `channel-${this.#random.hex(4)}`,
      type: ChannelType.GuildText,
      position: guild.channels.length,
      permissionOverwrites: this.#randomOverwrites(guild),
    };
    guild.channels.push(channel);
    this.#world.channels.set(channel.id, { channel, guildId: guild.id });
    this.#dispatch('CHANNEL_CREATE', this.#channelPayload(guild, channel), guild.id);
    return true;
  }

  #updateChannel(guild: SimulatedGuild): boolean {
    const channel = this.#random.pick(guild.channels);
    channel.name = `channel-${this.#random.hex(4)}`;
    channel.position = this.#random.int(guild.channels.length + 3);
    channel.permissionOverwrites = this.#randomOverwrites(guild);
    this.#dispatch('CHANNEL_UPDATE', this.#channelPayload(guild, channel), guild.id);
    return true;
  }

  /** Keeps the guild's first text channel: injected messages and interactions need one. */
  #deleteChannel(guild: SimulatedGuild): boolean {
    const firstText = guild.channels.find((channel) => channel.type === ChannelType.GuildText);
    const candidates = guild.channels.filter((channel) => channel !== firstText);
    if (candidates.length === 0) return false;
    const channel = this.#random.pick(candidates);
    guild.channels.splice(guild.channels.indexOf(channel), 1);
    this.#world.channels.delete(channel.id);
    this.#threadsAndEmojis.dropThreadsOf(guild, channel.id);
    this.#dispatch('CHANNEL_DELETE', this.#channelPayload(guild, channel), guild.id);
    return true;
  }

  #createRole(guild: SimulatedGuild): boolean {
    const role: APIRole = {
      id: this.#ids.next(),
      name: `role-${this.#random.hex(4)}`,
      color: this.#random.int(0xffffff),
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: this.#random.next() < 0.5,
      icon: null,
      unicode_emoji: null,
      position: 1 + this.#random.int(guild.roles.length + 2),
      permissions: this.#random.pick(permissionChoices),
      managed: false,
      mentionable: this.#random.next() < 0.5,
      flags: 0 as RoleFlags,
    };
    guild.roles.push(role);
    this.#dispatch('GUILD_ROLE_CREATE', { guild_id: guild.id, role }, guild.id);
    return true;
  }

  #updateRole(guild: SimulatedGuild): boolean {
    const role = this.#random.pick(guild.roles);
    role.permissions = this.#random.pick(permissionChoices);
    role.name = role.id === guild.id ? '@everyone' : `role-${this.#random.hex(4)}`;
    if (role.id !== guild.id) role.position = 1 + this.#random.int(guild.roles.length + 2);
    this.#dispatch('GUILD_ROLE_UPDATE', { guild_id: guild.id, role }, guild.id);
    return true;
  }

  #deleteRole(guild: SimulatedGuild): boolean {
    const candidates = guild.roles.filter((role) => role.id !== guild.id);
    if (candidates.length === 0) return false;
    const role = this.#random.pick(candidates);
    guild.roles.splice(guild.roles.indexOf(role), 1);
    this.#dispatch('GUILD_ROLE_DELETE', { guild_id: guild.id, role_id: role.id }, guild.id);
    for (const member of guild.members) {
      if (!member.roles.includes(role.id)) continue;
      member.roles = member.roles.filter((id) => id !== role.id);
      this.#dispatch('GUILD_MEMBER_UPDATE', { ...member, guild_id: guild.id }, guild.id);
    }
    return true;
  }

  #addMember(guild: SimulatedGuild): boolean {
    const user = userObject({ id: this.#ids.next(), username: `joiner${this.#world.users.size}` });
    this.#world.users.set(user.id, user);
    const payload = guildMemberAddPayload(guild, user);
    const { guild_id: _guildId, ...member } = payload;
    guild.members.push(member as APIGuildMember);
    guild.memberCount += 1;
    this.#dispatch('GUILD_MEMBER_ADD', payload, guild.id);
    return true;
  }

  #updateMember(guild: SimulatedGuild): boolean {
    const member = this.#random.pick(guild.members);
    const assignable = guild.roles.filter((role) => role.id !== guild.id);
    member.roles = assignable.filter(() => this.#random.next() < 0.3).map((role) => role.id);
    member.nick = this.#random.next() < 0.5 ? `nick-${this.#random.hex(3)}` : null;
    const timeout = this.#random.next();
    member.communication_disabled_until =
      timeout < 0.2
        ? new Date(Date.now() + 3_600_000).toISOString()
        : timeout < 0.3
          ? new Date(Date.now() - 60_000).toISOString()
          : null;
    this.#dispatch('GUILD_MEMBER_UPDATE', { ...member, guild_id: guild.id }, guild.id);
    return true;
  }

  #removeMember(guild: SimulatedGuild): boolean {
    const candidates = guild.members.filter((member) => !member.user.bot && member.user.id !== guild.ownerId);
    if (candidates.length === 0) return false;
    const leaving = this.#random.pick(candidates);
    guild.members.splice(guild.members.indexOf(leaving), 1);
    guild.memberCount -= 1;
    this.#dispatch('GUILD_MEMBER_REMOVE', { guild_id: guild.id, user: leaving.user }, guild.id);
    return true;
  }

  #guild(guildId: string): SimulatedGuild {
    const guild = this.#world.guildsById.get(guildId);
    if (!guild) throw new RangeError(`unknown guild ${guildId}`);
    return guild;
  }
}
