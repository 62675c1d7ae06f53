import type { DispatchData } from '@dgc/shared';
import {
  type APIChatInputApplicationCommandInteraction,
  ApplicationCommandType,
  type GatewayDispatchEvents,
  InteractionType,
} from 'discord-api-types/v10';
import type { HandlerContext } from '../handlers/handler-context.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import { InteractionResponder } from './interaction-responder.js';

/** Routes INTERACTION_CREATE to the slash command of that name; unknown commands get an ephemeral answer. */
export function createInteractionRouter(registry: HandlerRegistry) {
  return async (
    interaction: DispatchData<GatewayDispatchEvents.InteractionCreate>,
    context: HandlerContext,
  ) => {
    if (interaction.type !== InteractionType.ApplicationCommand) return;
    if (interaction.data.type !== ApplicationCommandType.ChatInput) return;
    const chatInput = interaction as APIChatInputApplicationCommandInteraction;
    const command = registry.commandNamed(chatInput.data.name);
    if (command) {
      await command.handle(chatInput, context);
      return;
    }
    context.logger.warn({ command: chatInput.data.name }, 'interaction for an unknown command');
    await new InteractionResponder(context.rest, chatInput, context.signal).reply({
      content: `Unknown command \`/${chatInput.data.name}\`.`,
      ephemeral: true,
    });
  };
}
