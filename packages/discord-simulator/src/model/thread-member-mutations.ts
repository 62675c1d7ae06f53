import { threadMemberPayload } from './payloads/thread-payloads.js';
import type { SeededRandom } from './seeded-random.js';
import type { SimulatedGuild, SimulatedThread } from './world.js';

type Dispatch = (event: string, data: unknown, guildId: string) => void;

/** ThreadMemberFlags Discord sets on a membership: HAS_INTERACTED, ALL_MESSAGES, ONLY_MENTIONS, NO_MESSAGES. */
const notificationFlags = [1, 2, 4, 8, 3, 5] as const;

/**
 * Thread membership changes of `StateMutations`: each changes the world first, then dispatches what Discord
 * sends for it. Members join or leave active threads (joining an archived one would unarchive it);
 * the bot is among them now and then.
 */
export class ThreadMemberMutations {
  readonly #random: SeededRandom;
  readonly #dispatch: Dispatch;
  readonly #botUserId: string;

  constructor(options: { random: SeededRandom; dispatch: Dispatch; botUserId: string }) {
    this.#random = options.random;
    this.#dispatch = options.dispatch;
    this.#botUserId = options.botUserId;
  }

  /** A guild member (one time in five the bot) joins an active thread, or one of its members leaves. */
  updateThreadMembers(guild: SimulatedGuild): boolean {
    const active = guild.threads.filter((thread) => !thread.archived);
    if (active.length === 0) return false;
    const thread = this.#random.pick(active);
    const leave = thread.members.length > 0 && this.#random.next() < 0.4;
    if (leave) {
      const gone = this.#random.pick(thread.members);
      thread.members.splice(thread.members.indexOf(gone), 1);
      this.#send(guild, thread, { removed_member_ids: [gone.userId] });
      return true;
    }
    const inThread = new Set(thread.members.map((member) => member.userId));
    const candidates = guild.members.filter((member) => !inThread.has(member.user.id));
    const bot = candidates.find((member) => member.user.id === this.#botUserId);
    const joiner = bot && this.#random.next() < 0.2 ? bot : candidates[this.#random.int(candidates.length)];
    if (!joiner) return false;
    const membership = { userId: joiner.user.id, joinTimestamp: new Date().toISOString(), flags: 0 };
    thread.members.push(membership);
    this.#send(guild, thread, {
      added_members: [{ ...threadMemberPayload(thread, membership), member: joiner }],
    });
    return true;
  }

  /** The bot changes its notification settings in a thread it is in: THREAD_MEMBER_UPDATE. */
  updateBotThreadMember(guild: SimulatedGuild): boolean {
    const joined = guild.threads.flatMap((thread) =>
      thread.members
        .filter((member) => member.userId === this.#botUserId)
        .map((member) => ({ thread, member })),
    );
    if (joined.length === 0) return false;
    const { thread, member } = this.#random.pick(joined);
    member.flags = this.#random.pick(notificationFlags);
    this.#dispatch(
      'THREAD_MEMBER_UPDATE',
      { ...threadMemberPayload(thread, member), guild_id: guild.id },
      guild.id,
    );
    return true;
  }

  #send(guild: SimulatedGuild, thread: SimulatedThread, change: object): void {
    this.#dispatch(
      'THREAD_MEMBERS_UPDATE',
      { id: thread.id, guild_id: guild.id, member_count: Math.min(thread.members.length, 50), ...change },
      guild.id,
    );
  }
}
