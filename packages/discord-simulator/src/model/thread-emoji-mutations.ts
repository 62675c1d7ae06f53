import { ChannelType } from 'discord-api-types/v10';
import {
  activeThreadPayloads,
  botMembership,
  threadMemberPayload,
  threadPayload,
} from './payloads/thread-payloads.js';
import type { SeededRandom } from './seeded-random.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { SimulatedEmoji, SimulatedGuild, SimulatedThread } from './world.js';

type Dispatch = (event: string, data: unknown, guildId: string) => void;

const archiveDurations = [60, 1440, 4320, 10080] as const;

/**
 * The thread and emoji changes of `StateMutations`: each changes the world first, then dispatches what
 * Discord sends for it. Threads live in text channels; archived ones stay in the world (Discord keeps them)
 * but GUILD_CREATE and THREAD_LIST_SYNC carry only active ones, as Discord's do.
 */
export class ThreadAndEmojiMutations {
  readonly #ids: SnowflakeGenerator;
  readonly #random: SeededRandom;
  readonly #dispatch: Dispatch;
  readonly #botUserId: string;

  constructor(options: {
    ids: SnowflakeGenerator;
    random: SeededRandom;
    dispatch: Dispatch;
    botUserId: string;
  }) {
    this.#ids = options.ids;
    this.#random = options.random;
    this.#dispatch = options.dispatch;
    this.#botUserId = options.botUserId;
  }

  /** A member starts a thread: THREAD_CREATE, then THREAD_MEMBERS_UPDATE adding its creator, as Discord sends. */
  createThread(guild: SimulatedGuild): boolean {
    const thread = this.#newThread(guild);
    if (!thread) return false;
    guild.threads.push(thread);
    this.#dispatch('THREAD_CREATE', { ...threadPayload(guild, thread), newly_created: true }, guild.id);
    const creator = { userId: thread.ownerId, joinTimestamp: new Date().toISOString(), flags: 1 };
    thread.members.push(creator);
    const member = guild.members.find((candidate) => candidate.user.id === creator.userId);
    this.#dispatch(
      'THREAD_MEMBERS_UPDATE',
      {
        id: thread.id,
        guild_id: guild.id,
        member_count: Math.min(thread.members.length, 50),
        added_members: [{ ...threadMemberPayload(thread, creator), ...(member ? { member } : {}) }],
      },
      guild.id,
    );
    return true;
  }

  updateThread(guild: SimulatedGuild): boolean {
    if (guild.threads.length === 0) return false;
    const thread = this.#random.pick(guild.threads);
    thread.name = `thread-${this.#random.hex(4)}`;
    const archived = this.#random.next() < 0.3;
    if (archived !== thread.archived) thread.archiveTimestamp = new Date().toISOString();
    thread.archived = archived;
    thread.locked = this.#random.next() < 0.2;
    thread.autoArchiveDuration = this.#random.pick(archiveDurations);
    thread.rateLimitPerUser = this.#random.pick([0, 0, 5, 30]);
    if (thread.type === ChannelType.PrivateThread) thread.invitable = this.#random.next() < 0.5;
    this.#dispatch('THREAD_UPDATE', threadPayload(guild, thread), guild.id);
    return true;
  }

  deleteThread(guild: SimulatedGuild): boolean {
    if (guild.threads.length === 0) return false;
    const thread = this.#random.pick(guild.threads);
    guild.threads.splice(guild.threads.indexOf(thread), 1);
    this.#dispatch(
      'THREAD_DELETE',
      { id: thread.id, guild_id: guild.id, parent_id: thread.parentId, type: thread.type },
      guild.id,
    );
    return true;
  }

  /**
   * The bot regains access to a channel (or, one time in five, to the whole guild): while it could not
   * see it, an active thread was deleted and another created with no event to the bot, so only the
   * THREAD_LIST_SYNC that follows tells it; archived threads are not in the sync. The sync lists the bot's
   * own memberships of the synced threads only, so the thread made unseen is one its creator already left
   * (no members): who else joined an unseen thread no event tells.
   */
  syncThreads(guild: SimulatedGuild): boolean {
    const wholeGuild = this.#random.next() < 0.2;
    const texts = guild.channels.filter((channel) => channel.type === ChannelType.GuildText);
    if (texts.length === 0) return false;
    const channelIds = wholeGuild ? texts.map((channel) => channel.id) : [this.#random.pick(texts).id];
    const scope = new Set(channelIds);
    const unseen = guild.threads.filter((thread) => scope.has(thread.parentId) && !thread.archived);
    if (unseen.length > 0 && this.#random.next() < 0.5) {
      const gone = this.#random.pick(unseen);
      guild.threads.splice(guild.threads.indexOf(gone), 1);
    }
    const created = this.#newThread(guild, this.#random.pick(channelIds));
    if (created && this.#random.next() < 0.5) guild.threads.push(created);
    const synced = guild.threads.filter(
      (thread) => !thread.archived && (wholeGuild || scope.has(thread.parentId)),
    );
    this.#dispatch(
      'THREAD_LIST_SYNC',
      {
        guild_id: guild.id,
        ...(wholeGuild ? {} : { channel_ids: channelIds }),
        threads: activeThreadPayloads(guild, wholeGuild ? {} : { parentIds: scope }),
        members: synced.flatMap((thread) => {
          const own = botMembership(thread, this.#botUserId);
          return own ? [threadMemberPayload(thread, own)] : [];
        }),
      },
      guild.id,
    );
    return true;
  }

  /** A guild's emoji set changes (one added, removed or edited); GUILD_EMOJIS_UPDATE carries the whole set. */
  updateEmojis(guild: SimulatedGuild): boolean {
    const choice = this.#random.next();
    if (guild.emojis.length === 0 || (choice < 0.4 && guild.emojis.length < 10)) {
      guild.emojis.push(this.#newEmoji(guild));
    } else if (choice < 0.7) {
      guild.emojis.splice(this.#random.int(guild.emojis.length), 1);
    } else {
      const emoji = this.#random.pick(guild.emojis);
      emoji.name = `emoji_${this.#random.hex(4)}`;
      emoji.available = this.#random.next() < 0.8;
      emoji.roles = this.#randomRoles(guild);
    }
    this.#dispatch('GUILD_EMOJIS_UPDATE', { guild_id: guild.id, emojis: guild.emojis }, guild.id);
    return true;
  }

  /** Channel deletion: Discord deletes its threads too and sends no THREAD_DELETE for them. */
  dropThreadsOf(guild: SimulatedGuild, channelId: string): void {
    guild.threads = guild.threads.filter((thread) => thread.parentId !== channelId);
  }

  #newThread(guild: SimulatedGuild, parentId?: string): SimulatedThread | undefined {
    const texts = guild.channels.filter((channel) => channel.type === ChannelType.GuildText);
    if (texts.length === 0) return undefined;
    const isPrivate = this.#random.next() < 0.2;
    const thread: SimulatedThread = {
      id: this.#ids.next(),
      parentId: parentId ?? this.#random.pick(texts).id,
      name: `thread-${this.#random.hex(4)}`,
      type: isPrivate ? ChannelType.PrivateThread : ChannelType.PublicThread,
      ownerId: this.#random.pick(guild.members).user.id,
      archived: false,
      locked: false,
      autoArchiveDuration: this.#random.pick(archiveDurations),
      archiveTimestamp: new Date().toISOString(),
      rateLimitPerUser: 0,
      flags: 0,
      members: [],
    };
    if (isPrivate) thread.invitable = this.#random.next() < 0.5;
    return thread;
  }

  #newEmoji(guild: SimulatedGuild): SimulatedEmoji {
    return {
      id: this.#ids.next(),
      name: `emoji_${this.#random.hex(4)}`,
      roles: this.#randomRoles(guild),
      require_colons: true,
      managed: false,
      animated: this.#random.next() < 0.3,
      available: true,
    };
  }

  #randomRoles(guild: SimulatedGuild): string[] {
    return guild.roles
      .filter((role) => role.id !== guild.id && this.#random.next() < 0.2)
      .map((role) => role.id);
  }
}
