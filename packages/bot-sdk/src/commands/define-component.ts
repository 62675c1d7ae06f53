import type { REST } from '@discordjs/rest';
import {
  type APIMessageComponentInteraction,
  type APIUser,
  InteractionResponseType,
  Routes,
} from 'discord-api-types/v10';
import type { HandlerContext } from '../events/handler-context.js';
import { interactionContext } from './interaction-context.js';
import type { ReplyBody } from './interaction-responder.js';
import { toCallbackData } from './interaction-responder.js';

/** What a component handler gets: the handler context, the interaction and ways to answer it. */
export interface ComponentContext extends HandlerContext {
  interaction: APIMessageComponentInteraction;
  /** The parts of the custom id after the prefix: `cases:2:123` → `['2', '123']`. */
  args: string[];
  /** The user who clicked. */
  user: APIUser;
  /** Replaces the message the component is on (a pager turning its page). */
  update(body: ReplyBody): Promise<void>;
  /** Answers with a new message (ephemeral when asked). */
  reply(body: ReplyBody): Promise<void>;
}

export interface ComponentDefinition {
  /** The custom ids this handles: `prefix` or `prefix:…` (the bot's own components only). */
  prefix: string;
  execute(context: ComponentContext): Promise<void>;
}

/** A component handler as the interaction router sees it. */
export interface ComponentHandler {
  readonly prefix: string;
  handle(interaction: APIMessageComponentInteraction, context: HandlerContext): Promise<void>;
}

const prefixPattern = /^[a-z0-9_-]{1,40}$/i;

/**
 * Handles clicks on the bot's buttons and selections in its menus whose custom id starts with `prefix:`
 * (Discord caps a custom id at 100 characters: keep what the handler needs, e.g. a page number, in it).
 */
export function defineComponent(definition: ComponentDefinition): ComponentHandler {
  if (!prefixPattern.test(definition.prefix)) {
    throw new TypeError(`component prefix "${definition.prefix}" must be 1-40 letters, digits, "_" or "-"`);
  }
  return {
    prefix: definition.prefix,
    async handle(interaction, context) {
      const answer = (type: InteractionResponseType, body: ReplyBody) =>
        respond(context.rest, interaction, type, body, context.signal);
      await definition.execute(
        interactionContext(context, interaction, {
          args: interaction.data.custom_id.split(':').slice(1),
          update: (body: ReplyBody) => answer(InteractionResponseType.UpdateMessage, body),
          reply: (body: ReplyBody) => answer(InteractionResponseType.ChannelMessageWithSource, body),
        }),
      );
    },
  };
}

async function respond(
  rest: REST,
  interaction: APIMessageComponentInteraction,
  type: InteractionResponseType,
  body: ReplyBody,
  signal: AbortSignal,
): Promise<void> {
  await rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
    auth: false,
    signal,
    body: { type, data: toCallbackData(body) },
  });
}
