import type { ModerationBotClient, Reminder } from '../database.js';

/** Reminders in PostgreSQL; the delayed job that delivers each is named on its row (for cancel). */
export class ReminderStore {
  readonly #prisma: ModerationBotClient;

  constructor(prisma: ModerationBotClient) {
    this.#prisma = prisma;
  }

  create(input: {
    userId: string;
    guildId?: string;
    channelId: string;
    viaDm: boolean;
    text: string;
    dueAt: Date;
  }) {
    return this.#prisma.reminder.create({
      data: {
        userId: BigInt(input.userId),
        guildId: input.guildId === undefined ? null : BigInt(input.guildId),
        channelId: BigInt(input.channelId),
        viaDm: input.viaDm,
        text: input.text,
        dueAt: input.dueAt,
      },
    });
  }

  async setJob(id: bigint, jobId: string): Promise<void> {
    await this.#prisma.reminder.update({ where: { id }, data: { jobId } });
  }

  get(id: bigint): Promise<Reminder | null> {
    return this.#prisma.reminder.findUnique({ where: { id } });
  }

  /** The user's reminders still to come, soonest first. */
  pending(userId: string): Promise<Reminder[]> {
    return this.#prisma.reminder.findMany({
      where: { userId: BigInt(userId), deliveredAt: null, cancelledAt: null },
      orderBy: { dueAt: 'asc' },
      take: 25,
    });
  }

  /** Marks the user's reminder cancelled; the reminder when it was still pending. */
  async cancel(userId: string, id: bigint): Promise<Reminder | undefined> {
    const [cancelled] = await this.#prisma.$queryRaw<Reminder[]>`
      UPDATE moderation_bot.reminder SET cancelled_at = now()
      WHERE id = ${id} AND user_id = ${BigInt(userId)} AND delivered_at IS NULL AND cancelled_at IS NULL
      RETURNING id, job_id AS "jobId"`;
    return cancelled;
  }
}
