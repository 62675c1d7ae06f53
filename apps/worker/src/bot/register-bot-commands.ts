import { type CommandRegistrationResult, type HandlerRegistry, registerCommands } from '@dgc/bot-sdk/runtime';
import type { REST } from '@discordjs/rest';
import { type APIApplication, Routes } from 'discord-api-types/v10';

/** How long registration may take at most (two reads and one overwrite, waiting on the shared limits). */
export const registrationTimeoutMs = 30_000;

/**
 * Registers the bot's slash commands (global, or one guild's) with the application the token belongs to:
 * one bulk overwrite, and only when Discord's set differs from the bot's.
 */
export async function registerBotCommands(input: {
  rest: REST;
  registry: HandlerRegistry;
  guildId?: string;
  signal?: AbortSignal;
}): Promise<CommandRegistrationResult & { applicationId: string }> {
  const signal = input.signal ?? AbortSignal.timeout(registrationTimeoutMs);
  const application = (await input.rest.get(Routes.currentApplication(), { signal })) as APIApplication;
  const result = await registerCommands({
    rest: input.rest,
    applicationId: application.id,
    ...(input.guildId ? { guildId: input.guildId } : {}),
    commands: input.registry.commands.map((command) => command.toJSON()),
    signal,
  });
  return { ...result, applicationId: application.id };
}
