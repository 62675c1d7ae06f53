import type { REST } from '@discordjs/rest';
import {
  type APIChatInputApplicationCommandInteraction,
  type APIInteractionResponseCallbackData,
  type APIMessage,
  InteractionResponseType,
  MessageFlags,
  Routes,
} from 'discord-api-types/v10';

export type ReplyBody = string | (APIInteractionResponseCallbackData & { ephemeral?: boolean });

type Stage = 'unanswered' | 'deferred' | 'replied';

/**
 * Answers one interaction the way Discord requires: a first response within 3 s (a reply, or a deferral
 * that buys 15 minutes), then edits and follow-ups through the interaction's webhook. `reply` does the
 * right thing at every stage, so a command never needs to know whether it was deferred. Calls are
 * serialised: an automatic deferral racing the command's own reply cannot produce two first responses.
 * Interaction tokens authenticate these calls, so they go without the bot token (`auth: false`).
 */
export class InteractionResponder {
  readonly #rest: REST;
  readonly #interaction: APIChatInputApplicationCommandInteraction;
  readonly #signal: AbortSignal;
  #stage: Stage = 'unanswered';
  #last: Promise<unknown> = Promise.resolve();

  constructor(rest: REST, interaction: APIChatInputApplicationCommandInteraction, signal: AbortSignal) {
    this.#rest = rest;
    this.#interaction = interaction;
    this.#signal = signal;
  }

  get stage(): Stage {
    return this.#stage;
  }

  /** Acknowledges now and answers later (shows "thinking…"); does nothing once answered. */
  defer(options: { ephemeral?: boolean } = {}): Promise<void> {
    return this.#serial(async () => {
      if (this.#stage !== 'unanswered') return;
      await this.#rest.post(Routes.interactionCallback(this.#interaction.id, this.#interaction.token), {
        auth: false,
        signal: this.#signal,
        body: {
          type: InteractionResponseType.DeferredChannelMessageWithSource,
          data: options.ephemeral ? { flags: MessageFlags.Ephemeral } : {},
        },
      });
      this.#stage = 'deferred';
    });
  }

  /** The first answer, the deferred answer (edits the "thinking…" message), or a follow-up after that. */
  reply(body: ReplyBody): Promise<void> {
    const data = toCallbackData(body);
    return this.#serial(async () => {
      if (this.#stage === 'unanswered') {
        await this.#rest.post(Routes.interactionCallback(this.#interaction.id, this.#interaction.token), {
          auth: false,
          signal: this.#signal,
          body: { type: InteractionResponseType.ChannelMessageWithSource, data },
        });
        this.#stage = 'replied';
      } else if (this.#stage === 'deferred') {
        await this.#rest.patch(this.#webhookMessage('@original'), {
          auth: false,
          signal: this.#signal,
          body: data,
        });
        this.#stage = 'replied';
      } else {
        await this.followUp(data);
      }
    });
  }

  /**
   * Replaces the first answer (the deferred "thinking…" message or the reply) with `body`; answers it when
   * nothing was sent yet. Unlike `reply`, calling it again edits the same message: progress reports use it.
   */
  editReply(body: ReplyBody): Promise<void> {
    const data = toCallbackData(body);
    return this.#serial(async () => {
      if (this.#stage === 'unanswered') {
        await this.#rest.post(Routes.interactionCallback(this.#interaction.id, this.#interaction.token), {
          auth: false,
          signal: this.#signal,
          body: { type: InteractionResponseType.ChannelMessageWithSource, data },
        });
      } else {
        await this.#rest.patch(this.#webhookMessage('@original'), {
          auth: false,
          signal: this.#signal,
          body: data,
        });
      }
      this.#stage = 'replied';
    });
  }

  /** Another message after the first answer. */
  async followUp(body: ReplyBody): Promise<APIMessage> {
    return (await this.#rest.post(Routes.webhook(this.#interaction.application_id, this.#interaction.token), {
      auth: false,
      signal: this.#signal,
      body: toCallbackData(body),
    })) as APIMessage;
  }

  #webhookMessage(messageId: string) {
    return Routes.webhookMessage(this.#interaction.application_id, this.#interaction.token, messageId);
  }

  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#last.then(step, step);
    this.#last = next.catch(() => {});
    return next;
  }
}

export function toCallbackData(body: ReplyBody): APIInteractionResponseCallbackData {
  if (typeof body === 'string') return { content: body };
  const { ephemeral, ...data } = body;
  return ephemeral ? { ...data, flags: (data.flags ?? 0) | MessageFlags.Ephemeral } : data;
}
