import type {
  APIEmoji,
  APIGuildMember,
  APIOverwrite,
  APIRole,
  APIUser,
  ChannelType,
  GuildMemberFlags,
  RoleFlags,
} from 'discord-api-types/v10';
import { SeededRandom } from './seeded-random.js';
import { SnowflakeGenerator } from './snowflake.js';
import { userObject } from './users.js';

export interface SimulatedChannel {
  id: string;
  name: string;
  type: ChannelType.GuildText | ChannelType.GuildVoice;
  position: number;
  /** Set by state mutations (`state-mutations.ts`); none until then. */
  parentId?: string | null;
  permissionOverwrites?: APIOverwrite[];
}

/** A thread in one of the guild's text channels; made and changed by state mutations only. */
export interface SimulatedThread {
  id: string;
  parentId: string;
  name: string;
  type: ChannelType.PublicThread | ChannelType.PrivateThread;
  ownerId: string;
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: 60 | 1440 | 4320 | 10080;
  archiveTimestamp: string;
  /** Private threads only. */
  invitable?: boolean;
  rateLimitPerUser: number;
  flags: number;
  /** Who is in the thread (the bot too, when it is), in the order they joined. */
  members: SimulatedThreadMember[];
}

/** A user's membership of a thread. */
export interface SimulatedThreadMember {
  userId: string;
  joinTimestamp: string;
  /** Notification settings (ThreadMemberFlags). */
  flags: number;
}

/** A guild's custom emoji (always with an id). */
export type SimulatedEmoji = APIEmoji & { id: string; name: string };

export interface SimulatedGuild {
  id: string;
  name: string;
  ownerId: string;
  joinedAt: string;
  channels: SimulatedChannel[];
  roles: APIRole[];
  members: APIGuildMember[];
  /** Active and archived threads (GUILD_CREATE carries the active ones, as Discord's does). */
  threads: SimulatedThread[];
  emojis: SimulatedEmoji[];
  /** The member count Discord would report (can exceed `members`, which is what the bot is sent). */
  memberCount: number;
}

export interface SimulatedWorld {
  application: { id: string; flags: number };
  botUser: APIUser;
  guilds: SimulatedGuild[];
  guildsById: Map<string, SimulatedGuild>;
  /** Every user across guilds, by id. */
  users: Map<string, APIUser>;
  /** Text and voice channels by id, with their guild. */
  channels: Map<string, { channel: SimulatedChannel; guildId: string }>;
}

const adjectives = [
  'Cozy',
  'Midnight',
  'Pixel',
  'Stellar',
  'Quiet',
  'Lucky',
  'Rusty',
  'Neon',
  'Frosty',
  'Brave',
];
const nouns = [
  'Lounge',
  'Guild',
  'Hangout',
  'Workshop',
  'Arcade',
  'Garden',
  'Harbor',
  'Library',
  'Den',
  'Club',
];
const everyonePermissions = '2248473465835073';

/**
 * Builds a deterministic world of guilds: ids are real snowflakes created in the past (guilds before their
 * members), and sizes follow a long tail — a few large guilds, many small ones — as a real bot's do.
 */
export function buildWorld(options: {
  guildCount: number;
  seed: number;
  applicationId?: string;
}): SimulatedWorld {
  const random = new SeededRandom(options.seed);
  const ids = new SnowflakeGenerator(random.int(32));
  const twoYearsAgo = Date.now() - 2 * 365 * 86_400_000;
  let clock = twoYearsAgo;
  const tick = () => {
    clock += 1 + random.int(3_600_000);
    return clock;
  };
  const applicationId = options.applicationId ?? ids.next(tick());
  const botUser: APIUser = userObject({ id: applicationId, username: 'Simulated Bot', bot: true });
  const users = new Map<string, APIUser>([[botUser.id, botUser]]);
  const channels = new Map<string, { channel: SimulatedChannel; guildId: string }>();
  const guilds: SimulatedGuild[] = [];

  for (let index = 0; index < options.guildCount; index += 1) {
    const guildCreatedAt = tick();
    const guildId = ids.next(guildCreatedAt);
    const memberTotal = index % 50 === 0 ? 200 + random.int(300) : 3 + random.int(25);
    const joinedAt = new Date(tick()).toISOString();
    const moderatorRoleId = ids.next(tick());
    const guildChannels: SimulatedChannel[] = [
      { id: ids.next(tick()), name: 'general', type: 0, position: 0 },
      { id: ids.next(tick()), name: 'bot-commands', type: 0, position: 1 },
      { id: ids.next(tick()), name: 'Voice', type: 2, position: 2 },
    ];
    for (const channel of guildChannels) channels.set(channel.id, { channel, guildId });
    const guild = {
      id: guildId,
      name: `${random.pick(adjectives)} ${random.pick(nouns)} ${index}`,
      ownerId: botUser.id,
      joinedAt,
      channels: guildChannels,
      threads: [] as SimulatedThread[],
      emojis: [] as SimulatedEmoji[],
      memberCount: memberTotal + 1,
    } as SimulatedGuild;
    let roles: APIRole[] | undefined;
    Object.defineProperty(guild, 'roles', {
      enumerable: true,
      get: () => {
        roles ??= defaultRoles(guildId, moderatorRoleId);
        return roles;
      },
    });
    // Members are built on first use, from the guild's own seed: a world of 20,000 guilds starts in well
    // under a second, and the members are the same whenever (and in whatever order) they are first needed.
    let members: APIGuildMember[] | undefined;
    Object.defineProperty(guild, 'members', {
      enumerable: true,
      get: () => {
        members ??= buildMembers({
          guildIndex: index,
          guildCreatedAt,
          memberTotal,
          joinedAt,
          botUser,
          seed: options.seed,
          users,
        });
        return members;
      },
      set: (value: APIGuildMember[]) => {
        members = value;
      },
    });
    guild.ownerId = memberTotal > 0 ? memberIdFor(index, guildCreatedAt, 0) : botUser.id;
    guilds.push(guild);
  }
  const guildsById = new Map(guilds.map((guild) => [guild.id, guild]));
  return { application: { id: applicationId, flags: 0 }, botUser, guilds, guildsById, users, channels };
}

/** The snowflake of a guild's n-th member: created after the guild, worker = guild index, process 1. */
function memberIdFor(guildIndex: number, guildCreatedAt: number, memberIndex: number): string {
  const ms = BigInt(guildCreatedAt + 1 + Math.floor(memberIndex / 4_096));
  const worker = BigInt(guildIndex % 32);
  return (
    ((ms - 1_420_070_400_000n) << 22n) |
    (worker << 17n) |
    (1n << 12n) |
    BigInt(memberIndex % 4_096)
  ).toString();
}

function buildMembers(input: {
  guildIndex: number;
  guildCreatedAt: number;
  memberTotal: number;
  joinedAt: string;
  botUser: APIUser;
  seed: number;
  users: Map<string, APIUser>;
}): APIGuildMember[] {
  const guildUsers: APIUser[] = [];
  for (let memberIndex = 0; memberIndex < input.memberTotal; memberIndex += 1) {
    const user = userObject({
      id: memberIdFor(input.guildIndex, input.guildCreatedAt, memberIndex),
      username: `user${input.guildIndex}_${memberIndex}`,
      globalName: `User ${input.guildIndex}-${memberIndex}`,
    });
    input.users.set(user.id, user);
    guildUsers.push(user);
  }
  return [input.botUser, ...guildUsers].map((user) => ({
    user,
    nick: null,
    avatar: null,
    banner: null,
    roles: [],
    joined_at: input.joinedAt,
    premium_since: null,
    communication_disabled_until: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
  }));
}

function defaultRoles(guildId: string, moderatorRoleId: string): APIRole[] {
  return [
    {
      id: guildId,
      name: '@everyone',
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: 0,
      permissions: everyonePermissions,
      managed: false,
      mentionable: false,
      flags: 0 as RoleFlags,
    },
    {
      id: moderatorRoleId,
      name: 'Moderator',
      color: 0x3498db,
      colors: { primary_color: 0x3498db, secondary_color: null, tertiary_color: null },
      hoist: true,
      icon: null,
      unicode_emoji: null,
      position: 1,
      permissions: '1099511627775',
      managed: false,
      mentionable: true,
      flags: 0 as RoleFlags,
    },
  ];
}
