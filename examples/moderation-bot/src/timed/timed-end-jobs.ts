import type { Bot, DelayedJobContext } from '@dgc/bot-sdk';
import { type APIGuildMember, Routes } from 'discord-api-types/v10';
import { type TimedEndPayload, tempBanEndJob, timeoutEndJob } from '../cases/case-commands.js';
import type { CaseStore } from '../cases/case-store.js';
import type { ModLog } from '../modlog/mod-log.js';

/** Discord's JSON error code of a failed call, when it came from Discord. */
function discordCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const unknownBan = 10026;
const unknownMember = 10007;

/**
 * The ends of temp bans and timeouts, as durable delayed jobs (`jobs.at` when the case is made): kept in
 * PostgreSQL, so a ban due while every scheduler was down is lifted by the first one to start. A run may be
 * delivered twice (a scheduler killed between the call and its record): lifting an already lifted ban answers
 * 10026 and counts as done, and the closing case is written in the transaction that records the run, once.
 */
export function addTimedEndJobs(bot: Bot, dependencies: { cases: CaseStore; modlog: ModLog }): void {
  bot.job<TimedEndPayload>(tempBanEndJob, async (payload, context) => {
    const reason = `Temp ban ended (case #${payload.caseNumber})`;
    try {
      await context.rest.delete(Routes.guildBan(payload.guildId, payload.userId), {
        reason,
        signal: context.signal,
      });
    } catch (error) {
      if (discordCode(error) !== unknownBan) throw error;
      context.logger.info({ guildId: payload.guildId, case: payload.caseNumber }, 'temp ban already lifted');
    }
    const number = await closeCase(context, dependencies.cases, payload, 'unban', reason);
    await dependencies.modlog.postCase(context, payload.guildId, {
      number,
      action: 'unban',
      targetId: payload.userId,
      moderatorId: payload.moderatorId,
      reason,
    });
  });

  bot.job<TimedEndPayload>(timeoutEndJob, async (payload, context) => {
    // Discord ends a timeout itself; this clears it unless it was extended since, and closes the case.
    try {
      const member = (await context.rest.get(Routes.guildMember(payload.guildId, payload.userId), {
        signal: context.signal,
      })) as APIGuildMember;
      const until = member.communication_disabled_until;
      if (until && Date.parse(until) <= Date.now() + 1_000) {
        await context.rest.patch(Routes.guildMember(payload.guildId, payload.userId), {
          body: { communication_disabled_until: null },
          reason: `Timeout ended (case #${payload.caseNumber})`,
          signal: context.signal,
        });
      }
    } catch (error) {
      if (discordCode(error) !== unknownMember) throw error;
    }
    await context.completeWith(
      (transaction) =>
        transaction.$executeRaw`UPDATE moderation_bot.mod_case SET end_job_id = NULL
        WHERE guild_id = ${BigInt(payload.guildId)} AND number = ${payload.caseNumber}`,
    );
  });
}

/** The closing case, written with the run's record: exactly once however often the run is delivered. */
function closeCase(
  context: DelayedJobContext,
  cases: CaseStore,
  payload: TimedEndPayload,
  action: 'unban',
  reason: string,
): Promise<number> {
  return context.completeWith(async (transaction) => {
    await transaction.$executeRaw`UPDATE moderation_bot.mod_case SET end_job_id = NULL
      WHERE guild_id = ${BigInt(payload.guildId)} AND number = ${payload.caseNumber}`;
    return cases.create(
      {
        guildId: payload.guildId,
        action,
        targetId: payload.userId,
        moderatorId: payload.moderatorId,
        reason,
      },
      transaction,
    );
  });
}
