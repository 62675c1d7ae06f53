import type { GatewayDispatchEvents } from 'discord-api-types/v10';
import type { SlashCommand } from '../commands/define-command.js';
import type { EventHandler } from './handler-context.js';

/** What a bot's setup adds its handlers and commands to; both methods chain. */
export interface Bot {
  /** Runs `handler` for every `event` the gateway receives (several handlers of one event run together). */
  on<Name extends GatewayDispatchEvents>(event: Name, handler: EventHandler<Name>): this;
  /** Adds a slash command made with `defineCommand`; a name registered twice throws. */
  command(command: SlashCommand): this;
}
