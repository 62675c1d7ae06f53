import type { ModLog } from '../modlog/mod-log.js';
import type { CaseAction, CaseStore } from './case-store.js';
import { type DirectMessageOutcome, sendDirectMessage } from './direct-message.js';
import { checkTarget, type ModerationContext } from './moderation-check.js';

export interface CaseDependencies {
  cases: CaseStore;
  modlog: ModLog;
}

export interface CaseActionSpec {
  action: CaseAction;
  targetId: string;
  reason: string;
  /** Kick, timeout and warn need a member; a ban or unban may name anyone. */
  requireMember: boolean;
  /** Whether the target is checked against the moderator at all (an unban has no member to rank). */
  checkHierarchy: boolean;
  /** The DM to the target, or none; sent before the action when it removes them from the server. */
  dm?: { text: string; before: boolean };
  /** The Discord call(s) of the action; throws a Discord error when refused. */
  perform(context: ModerationContext, guildId: string): Promise<void>;
  expiresAt?: Date;
  /** After the case exists (e.g. schedule its end); returns what to add to the reply. */
  afterCase?(context: ModerationContext, guildId: string, number: number): Promise<string | undefined>;
}

/**
 * One moderation command end to end: the hierarchy check through the cache (a refusal is an ephemeral answer
 * and no other call), the DM, Discord's action, the case with its number, then the reply and the mod-log
 * post together. A case is only written once Discord carried the action out, so case numbers never name
 * an action that did not happen.
 */
export async function runCaseAction(
  context: ModerationContext,
  dependencies: CaseDependencies,
  spec: CaseActionSpec,
): Promise<void> {
  const guildId = context.interaction.guild_id;
  if (!guildId) {
    await context.reply({ content: 'Moderation works in a server only.', ephemeral: true });
    return;
  }
  if (spec.checkHierarchy || spec.requireMember) {
    const checked = await checkTarget(context, guildId, spec.targetId, { requireMember: spec.requireMember });
    if (checked.refusal) {
      await context.reply({ content: checked.refusal, ephemeral: true, allowed_mentions: { parse: [] } });
      return;
    }
  }
  const { signal } = context;
  let dm: DirectMessageOutcome | undefined;
  if (spec.dm?.before) dm = await sendDirectMessage(context.rest, spec.targetId, spec.dm.text, signal);
  try {
    await spec.perform(context, guildId);
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    context.logger.info({ err: error, action: spec.action, guildId }, 'moderation action refused by Discord');
    await context.reply({ content: `Discord refused the ${spec.action}: ${message}`, ephemeral: true });
    return;
  }
  if (spec.dm && !spec.dm.before)
    dm = await sendDirectMessage(context.rest, spec.targetId, spec.dm.text, signal);
  const number = await dependencies.cases.create({
    guildId,
    action: spec.action,
    targetId: spec.targetId,
    moderatorId: context.user.id,
    reason: spec.reason,
    ...(spec.expiresAt ? { expiresAt: spec.expiresAt } : {}),
    ...(dm ? { dm } : {}),
  });
  const extra = await spec.afterCase?.(context, guildId, number);
  const dmNote = dm && !dm.delivered ? ` (DM not delivered: ${dm.error})` : '';
  await Promise.all([
    context.reply({
      content: `Case #${number}: ${spec.action} <@${spec.targetId}> — ${spec.reason}${dmNote}${extra ? `\n${extra}` : ''}`,
      allowed_mentions: { parse: [] },
    }),
    dependencies.modlog.postCase(context, guildId, {
      number,
      action: spec.action,
      targetId: spec.targetId,
      moderatorId: context.user.id,
      reason: spec.reason,
      ...(spec.expiresAt ? { expiresAt: spec.expiresAt } : {}),
      ...(dm ? { dm } : {}),
    }),
  ]);
}
