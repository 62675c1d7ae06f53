import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { activityCommand } from '../commands/activity-command.js';
import { pingCommand } from '../commands/ping-command.js';
import { HandlerRegistry } from './handler-registry.js';
import { recordMemberActivity } from './member-activity.js';

/** The bot this worker runs: every event handler and slash command. */
export function createBotHandlers(): HandlerRegistry {
  const registry = new HandlerRegistry();
  registry.command(pingCommand);
  registry.command(activityCommand);
  registry.on(GatewayDispatchEvents.MessageCreate, recordMemberActivity);
  return registry;
}
