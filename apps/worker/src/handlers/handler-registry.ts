import type { DispatchData } from '@dgc/shared';
import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { createInteractionRouter } from '../commands/interaction-router.js';
import type { SlashCommand } from '../commands/slash-command.js';
import type { HandlerContext } from './handler-context.js';

export type EventHandler<Name extends GatewayDispatchEvents> = (
  data: DispatchData<Name>,
  context: HandlerContext,
) => Promise<void>;

export class DuplicateRegistrationError extends Error {
  override readonly name = 'DuplicateRegistrationError';
}

/**
 * The bot's handlers by gateway event name and its slash commands by name. The set of event names is what
 * workers advertise to gateways, so an event with no handler never reaches Redis.
 */
export type { SlashCommand };

export class HandlerRegistry {
  readonly #eventHandlers = new Map<string, EventHandler<GatewayDispatchEvents>[]>();
  readonly #commands = new Map<string, SlashCommand>();

  on<Name extends GatewayDispatchEvents>(event: Name, handler: EventHandler<Name>): this {
    const handlers = this.#eventHandlers.get(event) ?? [];
    handlers.push(handler as unknown as EventHandler<GatewayDispatchEvents>);
    this.#eventHandlers.set(event, handlers);
    return this;
  }

  /** Adds a slash command; the first one also subscribes the registry to INTERACTION_CREATE. */
  command(command: SlashCommand): this {
    if (this.#commands.has(command.name)) {
      throw new DuplicateRegistrationError(`slash command "${command.name}" is registered twice`);
    }
    if (this.#commands.size === 0) {
      this.on(GatewayDispatchEvents.InteractionCreate, createInteractionRouter(this));
    }
    this.#commands.set(command.name, command);
    return this;
  }

  handlersFor(event: string): readonly EventHandler<GatewayDispatchEvents>[] {
    return this.#eventHandlers.get(event) ?? [];
  }

  commandNamed(name: string): SlashCommand | undefined {
    return this.#commands.get(name);
  }

  get commands(): readonly SlashCommand[] {
    return [...this.#commands.values()];
  }

  /** Event names some handler wants. */
  subscribedEvents(): string[] {
    return [...this.#eventHandlers.keys()];
  }
}
