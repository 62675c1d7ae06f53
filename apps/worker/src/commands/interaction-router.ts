import type { DispatchData } from '@dgc/shared';
import {
  type APIChatInputApplicationCommandInteraction,
  ApplicationCommandType,
  type GatewayDispatchEvents,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  Routes,
} from 'discord-api-types/v10';
import type { HandlerContext } from '../handlers/handler-context.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';

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
      await command.execute(chatInput, context);
      return;
    }
    context.logger.warn({ command: chatInput.data.name }, 'interaction for an unknown command');
    await context.rest.post(Routes.interactionCallback(chatInput.id, chatInput.token), {
      auth: false,
      signal: context.signal,
      body: {
        type: InteractionResponseType.ChannelMessageWithSource,
        data: { content: `Unknown command \`/${chatInput.data.name}\`.`, flags: MessageFlags.Ephemeral },
      },
    });
  };
}
