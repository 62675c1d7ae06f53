import type { REST } from '@discordjs/rest';
import {
  type APIApplicationCommand,
  type RESTPostAPIApplicationCommandsJSONBody,
  Routes,
} from 'discord-api-types/v10';

/** What registration found: commands by name, against what Discord has. */
export interface CommandSetDifference {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export interface CommandRegistrationResult {
  difference: CommandSetDifference;
  /** Whether the set was sent (one bulk overwrite); false when Discord already had it. */
  overwritten: boolean;
}

type JsonObject = Record<string, unknown>;

/**
 * Fields Discord fills in when a command omits them: dropped on both sides when they hold the default,
 * so a command declared without them compares equal to what Discord returns.
 */
const commandDefaults: JsonObject = {
  type: 1,
  name_localizations: null,
  description_localizations: null,
  default_member_permissions: null,
  dm_permission: true,
  contexts: null,
  integration_types: [0],
  nsfw: false,
  options: [],
};
const optionDefaults: JsonObject = {
  name_localizations: null,
  description_localizations: null,
  required: false,
  autocomplete: false,
  options: [],
  choices: [],
};
/** Only what a bot declares counts: ids, versions and localised display names are Discord's. */
const commandFields = [...Object.keys(commandDefaults), 'name', 'description'];
const optionFields = [
  ...Object.keys(optionDefaults),
  'type',
  'name',
  'description',
  'channel_types',
  'min_value',
  'max_value',
  'min_length',
  'max_length',
];

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as JsonObject)[key])]),
  );
}

function withoutDefaults(input: JsonObject, fields: string[], defaults: JsonObject): JsonObject {
  const output: JsonObject = {};
  for (const field of fields) {
    let value = input[field];
    if (value === undefined) continue;
    if (field === 'options' && Array.isArray(value))
      value = value.map((option) => withoutDefaults(option as JsonObject, optionFields, optionDefaults));
    if (field === 'choices' && Array.isArray(value))
      value = value.map((choice) =>
        withoutDefaults(choice as JsonObject, ['name', 'value', 'name_localizations'], {
          name_localizations: null,
        }),
      );
    if (field === 'default_member_permissions' && value !== null) value = String(value);
    if (field in defaults && JSON.stringify(value) === JSON.stringify(defaults[field])) continue;
    output[field] = value;
  }
  return output;
}

/** A command in the form both sides are compared in: declared fields only, defaults dropped, keys sorted. */
export function normaliseCommand(
  command: RESTPostAPIApplicationCommandsJSONBody | APIApplicationCommand,
): string {
  return JSON.stringify(
    canonical(withoutDefaults(command as unknown as JsonObject, commandFields, commandDefaults)),
  );
}

const keyOf = (command: { name: string; type?: number }) => `${command.type ?? 1}:${command.name}`;

/** Compares the bot's commands with Discord's, by type and name. */
export function diffCommands(
  declared: readonly RESTPostAPIApplicationCommandsJSONBody[],
  registered: readonly APIApplicationCommand[],
): CommandSetDifference {
  const remote = new Map(registered.map((command) => [keyOf(command), command]));
  const local = new Map(declared.map((command) => [keyOf(command), command]));
  const difference: CommandSetDifference = { added: [], removed: [], changed: [], unchanged: [] };
  for (const [key, command] of local) {
    const existing = remote.get(key);
    if (!existing) difference.added.push(command.name);
    else if (normaliseCommand(existing) === normaliseCommand(command))
      difference.unchanged.push(command.name);
    else difference.changed.push(command.name);
  }
  for (const [key, command] of remote) if (!local.has(key)) difference.removed.push(command.name);
  return difference;
}

/**
 * Makes Discord's command set (global, or one guild's) the bot's: reads it, and bulk-overwrites it only
 * when it differs, so restarts cost one GET and never reset Discord's command versions.
 */
export async function registerCommands(input: {
  rest: REST;
  applicationId: string;
  guildId?: string;
  commands: readonly RESTPostAPIApplicationCommandsJSONBody[];
  signal?: AbortSignal;
}): Promise<CommandRegistrationResult> {
  const route =
    input.guildId === undefined
      ? Routes.applicationCommands(input.applicationId)
      : Routes.applicationGuildCommands(input.applicationId, input.guildId);
  const registered = (await input.rest.get(route, { signal: input.signal })) as APIApplicationCommand[];
  const difference = diffCommands(input.commands, registered);
  const changed = difference.added.length + difference.removed.length + difference.changed.length > 0;
  if (changed) await input.rest.put(route, { body: input.commands, signal: input.signal });
  return { difference, overwritten: changed };
}

/** One line per changed command (`+ added`, `- removed`, `~ changed`), or a line saying nothing changed. */
export function describeDifference(difference: CommandSetDifference): string {
  const lines = [
    ...difference.added.map((name) => `+ /${name}`),
    ...difference.removed.map((name) => `- /${name}`),
    ...difference.changed.map((name) => `~ /${name}`),
  ];
  return lines.length > 0
    ? `${lines.join('\n')}\n(${difference.unchanged.length} unchanged)`
    : `no change (${difference.unchanged.length} commands already registered)`;
}
