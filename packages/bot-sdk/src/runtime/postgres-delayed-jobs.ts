import { Prisma, type PrismaClient } from '@dgc/shared/db';
import type { DelayedJobs, ScheduleOptions } from '../jobs/delayed-jobs.js';
import type { JsonValue } from '../jobs/json-value.js';

/**
 * `jobs.at` / `jobs.cancel` on the runtime's `delayed_job` table, for the worker's handlers and the
 * scheduler's jobs alike. Only names the bot declared (`bot.job`) are accepted, so a typo fails in the
 * handler that made it rather than days later in the scheduler.
 */
export class PostgresDelayedJobs implements DelayedJobs {
  readonly #prisma: PrismaClient;
  readonly #declared: ReadonlySet<string>;

  constructor(prisma: PrismaClient, declaredNames: readonly string[]) {
    this.#prisma = prisma;
    this.#declared = new Set(declaredNames);
  }

  async at(
    when: Date | number,
    name: string,
    payload: JsonValue = null,
    options: ScheduleOptions = {},
  ): Promise<string> {
    if (!this.#declared.has(name)) {
      throw new TypeError(`jobs.at: no job named "${name}"; declare it with bot.job("${name}", handler)`);
    }
    const runAt = when instanceof Date ? when : new Date(when);
    if (Number.isNaN(runAt.getTime())) throw new TypeError('jobs.at: `when` is not a valid time');
    const maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw new TypeError('jobs.at: maxAttempts must be ≥ 1');
    const row = await this.#prisma.delayedJob.create({
      // JSON null is stored as the JSON value null, not as SQL NULL (the column is NOT NULL).
      data: {
        name,
        payload: payload === null ? Prisma.JsonNull : (payload as Prisma.InputJsonValue),
        runAt,
        maxAttempts,
      },
      select: { id: true },
    });
    return String(row.id);
  }

  async cancel(id: string): Promise<boolean> {
    if (!/^\d{1,19}$/.test(id)) return false;
    const { count } = await this.#prisma.delayedJob.updateMany({
      where: { id: BigInt(id), status: 'pending' },
      data: { status: 'cancelled', finishedAt: new Date() },
    });
    return count === 1;
  }
}
