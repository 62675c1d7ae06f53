import type { DispatchData } from '@dgc/shared';
import {
  type APIChatInputApplicationCommandInteraction,
  type APIMessageComponentInteraction,
  ApplicationCommandType,
  type GatewayDispatchEvents,
  InteractionType,
} from 'discord-api-types/v10';
import type { HandlerContext } from '../events/handler-context.js';
import type { SlashCommand } from './define-command.js';
import type { ComponentHandler } from './define-component.js';
import { InteractionResponder } from './interaction-responder.js';

export class DuplicateRegistrationError extends Error {
  override readonly name = 'DuplicateRegistrationError';
}

/**
 * The bot's slash commands by name, and the INTERACTION_CREATE handler that runs them. It owns the commands
 * (the registry only holds it), so it needs nothing from the registry.
 */
export class InteractionRouter {
  readonly #commands = new Map<string, SlashCommand>();
  readonly #components = new Map<string, ComponentHandler>();

  add(command: SlashCommand): void {
    if (this.#commands.has(command.name)) {
      throw new DuplicateRegistrationError(`slash command "${command.name}" is registered twice`);
    }
    this.#commands.set(command.name, command);
  }

  addComponent(handler: ComponentHandler): void {
    if (this.#components.has(handler.prefix)) {
      throw new DuplicateRegistrationError(`component prefix "${handler.prefix}" is registered twice`);
    }
    this.#components.set(handler.prefix, handler);
  }

  /** Whether INTERACTION_CREATE is already routed here (a command or a component was added). */
  get routes(): boolean {
    return this.#commands.size > 0 || this.#components.size > 0;
  }

  commandNamed(name: string): SlashCommand | undefined {
    return this.#commands.get(name);
  }

  get commands(): readonly SlashCommand[] {
    return [...this.#commands.values()];
  }

  get size(): number {
    return this.#commands.size;
  }

  /** Routes to the slash command of that name; unknown commands get an ephemeral answer. */
  async route(
    interaction: DispatchData<GatewayDispatchEvents.InteractionCreate>,
    context: HandlerContext,
  ): Promise<void> {
    if (interaction.type === InteractionType.MessageComponent) {
      const component = interaction as APIMessageComponentInteraction;
      const handler = this.#components.get(component.data.custom_id.split(':')[0] ?? '');
      if (handler) await handler.handle(component, context);
      else
        context.logger.warn({ customId: component.data.custom_id }, 'interaction for an unknown component');
      return;
    }
    if (interaction.type !== InteractionType.ApplicationCommand) return;
    if (interaction.data.type !== ApplicationCommandType.ChatInput) return;
    const chatInput = interaction as APIChatInputApplicationCommandInteraction;
    const command = this.#commands.get(chatInput.data.name);
    if (command) {
      await command.handle(chatInput, context);
      return;
    }
    context.logger.warn({ command: chatInput.data.name }, 'interaction for an unknown command');
    await new InteractionResponder(context.rest, chatInput, context.signal).reply({
      content: `Unknown command \`/${chatInput.data.name}\`.`,
      ephemeral: true,
    });
  }
}
