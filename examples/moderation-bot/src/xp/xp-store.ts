import type { MemberXp, ModerationBotClient } from '../database.js';

export const xpCooldownMs = 60_000;

/** The level reached with `xp`: level n takes 100·n² XP (100, 400, 900…). */
export function levelFor(xp: number): number {
  return Math.floor(Math.sqrt(xp / 100));
}

/**
 * XP per member. An award and its 60 s cooldown are one statement: the upsert only updates a row whose
 * last award is at least 60 s older than this message, so concurrent messages of one member (two workers)
 * award once, and a redelivered message (same timestamp) never awards twice.
 */
export class XpStore {
  readonly #prisma: ModerationBotClient;

  constructor(prisma: ModerationBotClient) {
    this.#prisma = prisma;
  }

  /** Awards `gain` unless the member is cooling down; the new totals when awarded. */
  async award(
    guildId: string,
    userId: string,
    gain: number,
    sentAt: Date,
  ): Promise<{ xp: number; level: number } | undefined> {
    const [row] = await this.#prisma.$queryRaw<{ xp: number; level: number }[]>`
      INSERT INTO moderation_bot.member_xp (guild_id, user_id, xp, level, last_award_at)
      VALUES (${BigInt(guildId)}, ${BigInt(userId)}, ${gain}, ${levelFor(gain)}, ${sentAt})
      ON CONFLICT (guild_id, user_id) DO UPDATE
        SET xp = member_xp.xp + EXCLUDED.xp,
            level = floor(sqrt((member_xp.xp + EXCLUDED.xp) / 100.0))::int,
            last_award_at = EXCLUDED.last_award_at
        WHERE member_xp.last_award_at <= EXCLUDED.last_award_at - make_interval(secs => ${xpCooldownMs / 1_000})
      RETURNING xp, level`;
    return row;
  }

  get(guildId: string, userId: string): Promise<MemberXp | null> {
    return this.#prisma.memberXp.findUnique({
      where: { guildId_userId: { guildId: BigInt(guildId), userId: BigInt(userId) } },
    });
  }

  /** The member's rank (1 = most XP) in the guild. */
  async rank(guildId: string, xp: number): Promise<number> {
    const above = await this.#prisma.memberXp.count({ where: { guildId: BigInt(guildId), xp: { gt: xp } } });
    return above + 1;
  }

  /** The top 10, from the (guild_id, xp DESC) index. */
  top(guildId: string): Promise<MemberXp[]> {
    return this.#prisma.memberXp.findMany({
      where: { guildId: BigInt(guildId) },
      orderBy: { xp: 'desc' },
      take: 10,
    });
  }
}
