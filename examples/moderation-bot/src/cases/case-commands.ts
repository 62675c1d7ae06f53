import { defineCommand, option } from '@dgc/bot-sdk';
import { PermissionFlagsBits, Routes } from 'discord-api-types/v10';
import { DurationError, formatDuration, parseDuration } from '../duration.js';
import { type CaseActionSpec, type CaseDependencies, runCaseAction } from './case-action.js';

const reason = option.string({
  description: 'Why (kept on the case and in the audit log)',
  required: true,
  maxLength: 500,
});
const user = option.user({ description: 'Who', required: true });
const maxTimeoutMs = 28 * 86_400_000;
const maxTempBanMs = 365 * 86_400_000;

/** The job names the timed actions' ends run under (`bot.job`). */
export const tempBanEndJob = 'tempban-end';
export const timeoutEndJob = 'timeout-end';

export interface TimedEndPayload {
  [key: string]: string | number;
  guildId: string;
  userId: string;
  caseNumber: number;
  moderatorId: string;
}

/** `/ban`, `/tempban`, `/unban`, `/kick`, `/warn`, `/timeout`, `/untimeout`: each one case. */
export function createCaseCommands(dependencies: CaseDependencies) {
  const ban = defineCommand({
    name: 'ban',
    description: 'Bans a user (member or not) and records a case',
    options: {
      user,
      reason,
      delete_days: option.integer({
        description: 'Delete their messages of the last days (0-7)',
        min: 0,
        max: 7,
      }),
    },
    requiredPermissions: PermissionFlagsBits.BanMembers,
    execute: (context) =>
      runCaseAction(context, dependencies, {
        action: 'ban',
        targetId: context.options.user.id,
        reason: context.options.reason,
        requireMember: false,
        checkHierarchy: true,
        dm: { text: `You were banned: ${context.options.reason}`, before: true },
        perform: (ctx, guildId) =>
          ctx.rest.put(Routes.guildBan(guildId, context.options.user.id), {
            body: { delete_message_seconds: (context.options.delete_days ?? 0) * 86_400 },
            reason: context.options.reason,
            signal: ctx.signal,
          }) as Promise<unknown> as Promise<void>,
      }),
  });

  const tempban = defineCommand({
    name: 'tempban',
    description: 'Bans a user for a while; the ban is lifted at its end even across restarts',
    options: {
      user,
      duration: option.string({ description: 'How long: e.g. 30m, 12h, 7d', required: true, maxLength: 20 }),
      reason,
    },
    requiredPermissions: PermissionFlagsBits.BanMembers,
    async execute(context) {
      const durationMs = await durationOrRefusal(context, maxTempBanMs);
      if (durationMs === undefined) return;
      const targetId = context.options.user.id;
      const expiresAt = new Date(Date.now() + durationMs);
      await runCaseAction(context, dependencies, {
        action: 'tempban',
        targetId,
        reason: context.options.reason,
        requireMember: false,
        checkHierarchy: true,
        expiresAt,
        dm: {
          text: `You were banned for ${formatDuration(durationMs)}: ${context.options.reason}`,
          before: true,
        },
        perform: (ctx, guildId) =>
          ctx.rest.put(Routes.guildBan(guildId, targetId), {
            body: { delete_message_seconds: 0 },
            reason: `${context.options.reason} (for ${formatDuration(durationMs)})`,
            signal: ctx.signal,
          }) as Promise<unknown> as Promise<void>,
        afterCase: scheduleEnd(dependencies, tempBanEndJob, targetId, expiresAt, (at) => `Lifted ${at}.`),
      });
    },
  });

  const unban = defineCommand({
    name: 'unban',
    description: 'Lifts a ban and records a case',
    options: { user, reason },
    requiredPermissions: PermissionFlagsBits.BanMembers,
    execute: (context) =>
      runCaseAction(context, dependencies, {
        action: 'unban',
        targetId: context.options.user.id,
        reason: context.options.reason,
        requireMember: false,
        checkHierarchy: false,
        async perform(ctx, guildId) {
          await ctx.rest.delete(Routes.guildBan(guildId, context.options.user.id), {
            reason: context.options.reason,
            signal: ctx.signal,
          });
          // An early unban ends the temp ban: its end job has nothing left to do.
          const running = await dependencies.cases.activeTempBan(guildId, context.options.user.id);
          if (running?.endJobId) await ctx.jobs.cancel(running.endJobId);
        },
      }),
  });

  const kick = defineCommand({
    name: 'kick',
    description: 'Removes a member from the server and records a case',
    options: { user, reason },
    requiredPermissions: PermissionFlagsBits.KickMembers,
    execute: (context) =>
      runCaseAction(context, dependencies, {
        action: 'kick',
        targetId: context.options.user.id,
        reason: context.options.reason,
        requireMember: true,
        checkHierarchy: true,
        dm: { text: `You were kicked: ${context.options.reason}`, before: true },
        perform: async (ctx, guildId) => {
          await ctx.rest.delete(Routes.guildMember(guildId, context.options.user.id), {
            reason: context.options.reason,
            signal: ctx.signal,
          });
        },
      }),
  });

  const warn = defineCommand({
    name: 'warn',
    description: 'Warns a member and records a case',
    options: { user, reason },
    requiredPermissions: PermissionFlagsBits.ModerateMembers,
    execute: (context) =>
      runCaseAction(context, dependencies, {
        action: 'warn',
        targetId: context.options.user.id,
        reason: context.options.reason,
        requireMember: true,
        checkHierarchy: true,
        dm: { text: `You were warned: ${context.options.reason}`, before: false },
        perform: async () => {},
      }),
  });

  const timeout = defineCommand({
    name: 'timeout',
    description: 'Times a member out (up to 28 days) and records a case',
    options: {
      user,
      duration: option.string({ description: 'How long: e.g. 10m, 1h, 3d', required: true, maxLength: 20 }),
      reason,
    },
    requiredPermissions: PermissionFlagsBits.ModerateMembers,
    async execute(context) {
      const durationMs = await durationOrRefusal(context, maxTimeoutMs);
      if (durationMs === undefined) return;
      const targetId = context.options.user.id;
      const expiresAt = new Date(Date.now() + durationMs);
      await runCaseAction(context, dependencies, {
        action: 'timeout',
        targetId,
        reason: context.options.reason,
        requireMember: true,
        checkHierarchy: true,
        expiresAt,
        dm: {
          text: `You were timed out for ${formatDuration(durationMs)}: ${context.options.reason}`,
          before: false,
        },
        perform: async (ctx, guildId) => {
          await ctx.rest.patch(Routes.guildMember(guildId, targetId), {
            body: { communication_disabled_until: expiresAt.toISOString() },
            reason: context.options.reason,
            signal: ctx.signal,
          });
        },
        afterCase: scheduleEnd(dependencies, timeoutEndJob, targetId, expiresAt),
      });
    },
  });

  const untimeout = defineCommand({
    name: 'untimeout',
    description: 'Ends a member’s timeout and records a case',
    options: { user, reason },
    requiredPermissions: PermissionFlagsBits.ModerateMembers,
    execute: (context) =>
      runCaseAction(context, dependencies, {
        action: 'untimeout',
        targetId: context.options.user.id,
        reason: context.options.reason,
        requireMember: true,
        checkHierarchy: true,
        perform: async (ctx, guildId) => {
          await ctx.rest.patch(Routes.guildMember(guildId, context.options.user.id), {
            body: { communication_disabled_until: null },
            reason: context.options.reason,
            signal: ctx.signal,
          });
        },
      }),
  });

  return [ban, tempban, unban, kick, warn, timeout, untimeout];
}

/**
 * A timed action's `afterCase`: the durable delayed job that ends it at `expiresAt` (across restarts),
 * remembered on the case so an early lift can cancel it; `say` adds a line to the reply.
 */
function scheduleEnd(
  dependencies: CaseDependencies,
  jobName: string,
  targetId: string,
  expiresAt: Date,
  say?: (relativeTime: string) => string,
): NonNullable<CaseActionSpec['afterCase']> {
  return async (ctx, guildId, caseNumber) => {
    const payload: TimedEndPayload = { guildId, userId: targetId, caseNumber, moderatorId: ctx.user.id };
    const jobId = await ctx.jobs.at(expiresAt, jobName, payload);
    await dependencies.cases.setEndJob(guildId, caseNumber, jobId);
    return say?.(`<t:${Math.floor(expiresAt.getTime() / 1_000)}:R>`);
  };
}

/** The command's `duration` option in ms, or undefined once the invoker was told (ephemerally) why it is bad. */
async function durationOrRefusal(
  context: {
    options: { duration: string };
    reply(answer: { content: string; ephemeral: boolean }): Promise<unknown>;
  },
  maxMs: number,
): Promise<number | undefined> {
  try {
    return parseDuration(context.options.duration, { minMs: 1_000, maxMs });
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    await context.reply({ content: error.message, ephemeral: true });
    return undefined;
  }
}
