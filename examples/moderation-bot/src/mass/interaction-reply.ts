import type { HandlerContext, Logger, ProgressReply, ReplyBody, ReplyEditor } from '@dgc/bot-sdk';
import { type APIInteractionResponseCallbackData, Routes } from 'discord-api-types/v10';

/** The SDK's REST client, as handlers and jobs get it. */
type REST = HandlerContext['rest'];

/** Which deferred reply a job edits: the interaction's webhook, valid for 15 minutes after it was created. */
export interface ReplyTarget {
  [key: string]: string;
  applicationId: string;
  /** The interaction token: a credential for 15 minutes. Kept in the job's payload only, never logged. */
  token: string;
}

/**
 * Edits an interaction's deferred reply from a job (the command deferred it and scheduled the job); the
 * webhook is authenticated by the token, so the call goes without the bot token.
 */
export function interactionReplyEditor(rest: REST, target: ReplyTarget, signal: AbortSignal): ReplyEditor {
  return {
    async editReply(body: ReplyBody) {
      const data: APIInteractionResponseCallbackData = typeof body === 'string' ? { content: body } : body;
      await rest.patch(Routes.webhookMessage(target.applicationId, target.token, '@original'), {
        auth: false,
        body: { ...data, allowed_mentions: { parse: [] } },
        signal,
      });
    },
  };
}

/** Failures grouped by Discord's answer, ids listed, within Discord's 2,000 characters. */
export function failureSummary(
  failures: { id: string; message: string; code?: number }[],
  limit = 1_800,
): string {
  const groups = new Map<string, string[]>();
  for (const failure of failures) {
    const key = failure.code !== undefined ? `${failure.message} (${failure.code})` : failure.message;
    groups.set(key, [...(groups.get(key) ?? []), failure.id]);
  }
  let text = '';
  for (const [reason, ids] of groups) {
    const line = `• ${ids.length} × ${reason}: ${ids.join(', ')}\n`;
    if (text.length + line.length > limit) {
      text += `• … and more (${failures.length} failures in all)\n`;
      break;
    }
    text += line;
  }
  return text;
}

/**
 * The summary edit, after the work is done: a failure (the token expired, the reply was deleted) is logged,
 * never thrown, since a retry of the job would redo the work only to fail the same edit again.
 */
export async function finishReply(progress: ProgressReply, body: ReplyBody, logger: Logger): Promise<void> {
  try {
    await progress.finish(body);
  } catch (error) {
    logger.warn({ err: error }, 'the summary could not be shown in the interaction reply');
  }
}
