import type { HandlerContext } from '@dgc/bot-sdk';
import { type APIChannel, Routes } from 'discord-api-types/v10';

/** The SDK's REST client, as handlers and jobs get it. */
type REST = HandlerContext['rest'];

export interface DirectMessageOutcome {
  delivered: boolean;
  /** Why not (Discord's message, e.g. "Cannot send messages to this user"); noted on the case. */
  error?: string;
}

/**
 * Tells a user what happened to them by DM. Many users accept no DMs from bots (50007), so a failure is an
 * outcome to note on the case, never an error that stops the moderation action.
 */
export async function sendDirectMessage(
  rest: REST,
  userId: string,
  content: string,
  signal: AbortSignal,
): Promise<DirectMessageOutcome> {
  try {
    const channel = (await rest.post(Routes.userChannels(), {
      body: { recipient_id: userId },
      signal,
    })) as APIChannel;
    await rest.post(Routes.channelMessages(channel.id), {
      body: { content, allowed_mentions: { parse: [] } },
      signal,
    });
    return { delivered: true };
  } catch (error) {
    if (signal.aborted) throw error;
    return { delivered: false, error: error instanceof Error ? error.message : String(error) };
  }
}
