import type { JobTransaction } from '@dgc/bot-sdk';
import type { ModCase, ModerationBotClient } from '../database.js';

export type CaseAction = 'ban' | 'unban' | 'kick' | 'warn' | 'timeout' | 'untimeout' | 'tempban';

export interface NewCase {
  guildId: string;
  action: CaseAction;
  targetId: string;
  moderatorId: string;
  reason: string;
  expiresAt?: Date;
  dm?: { delivered: boolean; error?: string };
}

/** What runs raw SQL: the bot's client, or a delayed job's completing transaction. */
type Sql = Pick<JobTransaction, '$queryRaw'>;

export const casesPerPage = 5;

/**
 * Moderation cases in PostgreSQL. A case's number comes from the guild's counter row, bumped by an upsert in
 * the same statement that inserts the case: the row lock serialises concurrent cases of one guild (twenty
 * concurrent /warn get 1..20) and a failed insert rolls the bump back with it, so numbers neither repeat
 * nor skip. Other guilds never wait on it.
 */
export class CaseStore {
  readonly #prisma: ModerationBotClient;

  constructor(prisma: ModerationBotClient) {
    this.#prisma = prisma;
  }

  /** Inserts the case with the guild's next number; `sql` is a job's transaction when given. */
  async create(input: NewCase, sql: Sql = this.#prisma): Promise<number> {
    const guildId = BigInt(input.guildId);
    const rows = await sql.$queryRaw<{ number: number }[]>`
      WITH numbered AS (
        INSERT INTO moderation_bot.case_counter (guild_id, last_number) VALUES (${guildId}, 1)
        ON CONFLICT (guild_id) DO UPDATE SET last_number = case_counter.last_number + 1
        RETURNING last_number
      )
      INSERT INTO moderation_bot.mod_case
        (guild_id, number, action, target_id, moderator_id, reason, expires_at, dm_delivered, dm_error)
      SELECT ${guildId}, last_number, ${input.action}, ${BigInt(input.targetId)}, ${BigInt(input.moderatorId)},
             ${input.reason}, ${input.expiresAt ?? null}, ${input.dm?.delivered ?? null}, ${input.dm?.error ?? null}
      FROM numbered
      RETURNING number`;
    const [row] = rows;
    if (!row) throw new Error(`case for guild ${input.guildId} was not inserted`);
    return row.number;
  }

  async setEndJob(guildId: string, number: number, jobId: string): Promise<void> {
    await this.#prisma.modCase.update({
      where: { guildId_number: { guildId: BigInt(guildId), number } },
      data: { endJobId: jobId },
    });
  }

  get(guildId: string, number: number): Promise<ModCase | null> {
    return this.#prisma.modCase.findUnique({
      where: { guildId_number: { guildId: BigInt(guildId), number } },
    });
  }

  /** Sets a case's reason; false when the guild has no case of that number. */
  async editReason(guildId: string, number: number, reason: string): Promise<boolean> {
    const { count } = await this.#prisma.modCase.updateMany({
      where: { guildId: BigInt(guildId), number },
      data: { reason },
    });
    return count === 1;
  }

  /** One page of the guild's cases (of one user when given), newest first, and how many there are. */
  async page(
    guildId: string,
    targetId: string | undefined,
    page: number,
  ): Promise<{ cases: ModCase[]; total: number }> {
    const where = {
      guildId: BigInt(guildId),
      ...(targetId !== undefined ? { targetId: BigInt(targetId) } : {}),
    };
    const [cases, total] = await Promise.all([
      this.#prisma.modCase.findMany({
        where,
        orderBy: { number: 'desc' },
        skip: page * casesPerPage,
        take: casesPerPage,
      }),
      this.#prisma.modCase.count({ where }),
    ]);
    return { cases, total };
  }

  /** The running temp ban of a user (its end job not yet run), to cancel on an early unban. */
  activeTempBan(guildId: string, targetId: string): Promise<ModCase | null> {
    return this.#prisma.modCase.findFirst({
      where: {
        guildId: BigInt(guildId),
        targetId: BigInt(targetId),
        action: 'tempban',
        endJobId: { not: null },
        expiresAt: { gt: new Date() },
      },
      orderBy: { number: 'desc' },
    });
  }
}
