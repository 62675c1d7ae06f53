import { GatewayDispatchEvents } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { defineCommand } from '../commands/define-command.js';
import { DuplicateRegistrationError } from '../commands/interaction-router.js';
import { HandlerRegistry } from './handler-registry.js';

const ping = defineCommand({ name: 'ping', description: 'Pong', async execute() {} });

describe('HandlerRegistry', () => {
  it('subscribes to INTERACTION_CREATE once, with the first command', () => {
    const registry = new HandlerRegistry()
      .on(GatewayDispatchEvents.MessageCreate, async () => {})
      .command(ping)
      .command(defineCommand({ name: 'other', description: 'Other', async execute() {} }));

    expect(registry.subscribedEvents()).toEqual(['MESSAGE_CREATE', 'INTERACTION_CREATE']);
    expect(registry.handlersFor('INTERACTION_CREATE')).toHaveLength(1);
    expect(registry.commands.map((command) => command.name)).toEqual(['ping', 'other']);
    expect(registry.commandNamed('ping')).toBe(ping);
  });

  it('refuses a command name registered twice', () => {
    expect(() => new HandlerRegistry().command(ping).command(ping)).toThrow(DuplicateRegistrationError);
  });
});
