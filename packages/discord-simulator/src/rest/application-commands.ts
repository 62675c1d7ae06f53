import type { APIApplicationCommand } from 'discord-api-types/v10';
import type { SnowflakeGenerator } from '../model/snowflake.js';
import { asRecord, invalidFormBody, RestError } from './rest-route.js';

/** Discord's limits on a command set (https://discord.com/developers/docs/interactions/application-commands). */
const maxChatInputCommands = 100;
const maxOptions = 25;
const maxChoices = 25;
// Lower-case letters and digits of any script, `-` and `_`; Discord rejects upper case for chat input names.
const namePattern = /^[-_\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const subcommandTypes = new Set([1, 2]);

/** The command sets an application registered: global, and per guild. */
export class ApplicationCommands {
  readonly #ids: SnowflakeGenerator;
  readonly #applicationId: string;
  /** Key: `global` or the guild id. */
  readonly #sets = new Map<string, Map<string, APIApplicationCommand>>();
  /** Bulk overwrites applied, for tests that count them. */
  overwrites = 0;

  constructor(ids: SnowflakeGenerator, applicationId: string) {
    this.#ids = ids;
    this.#applicationId = applicationId;
  }

  list(guildId: string | undefined): APIApplicationCommand[] {
    return [...(this.#sets.get(guildId ?? 'global')?.values() ?? [])];
  }

  get(guildId: string | undefined, commandId: string): APIApplicationCommand {
    const command = this.#sets.get(guildId ?? 'global')?.get(commandId);
    if (!command) throw new RestError(404, { code: 10063, message: 'Unknown application command' });
    return command;
  }

  delete(guildId: string | undefined, commandId: string): void {
    this.get(guildId, commandId);
    this.#sets.get(guildId ?? 'global')?.delete(commandId);
  }

  /** The command a user would run by that name in that guild (guild commands first), if registered. */
  find(name: string, guildId: string | undefined): APIApplicationCommand | undefined {
    const byName = (set: Map<string, APIApplicationCommand> | undefined) =>
      [...(set?.values() ?? [])].find((command) => command.name === name);
    return byName(guildId ? this.#sets.get(guildId) : undefined) ?? byName(this.#sets.get('global'));
  }

  /** Chat-input commands users can run in a guild without filling an option (global and the guild's own). */
  runnableNamesIn(guildId: string): string[] {
    return [
      ...new Set(
        [...this.list(undefined), ...this.list(guildId)]
          .filter((command) => (command.type ?? 1) === 1)
          .filter(
            (command) => !(command.options ?? []).some((option) => 'required' in option && option.required),
          )
          .map((command) => command.name),
      ),
    ];
  }

  /** PUT: replaces the whole set; commands keep their id (and version when unchanged) by name and type. */
  overwrite(guildId: string | undefined, body: unknown): APIApplicationCommand[] {
    if (!Array.isArray(body)) throw invalidFormBody('', 'BASE_TYPE_ARRAY', 'Must be an array.');
    body.forEach((command, index) => {
      validateCommand(command, String(index));
    });
    if (body.filter((command) => (asRecord(command).type ?? 1) === 1).length > maxChatInputCommands) {
      throw invalidFormBody(
        '',
        'BASE_TYPE_MAX_LENGTH',
        `Must be ${maxChatInputCommands} or fewer in length.`,
      );
    }
    const seen = new Set<string>();
    body.forEach((command, index) => {
      const record = asRecord(command);
      const key = `${record.type ?? 1}:${String(record.name)}`;
      if (seen.has(key))
        throw invalidFormBody(
          `${index}.name`,
          'APPLICATION_COMMANDS_DUPLICATE_NAME',
          'Application command names must be unique',
        );
      seen.add(key);
    });
    const previous = this.list(guildId);
    const next = new Map<string, APIApplicationCommand>();
    for (const raw of body) {
      const record = asRecord(raw);
      const before = previous.find(
        (command) => command.name === record.name && command.type === (record.type ?? 1),
      );
      const command = this.#normalise(record, guildId, before);
      next.set(command.id, command);
    }
    this.#sets.set(guildId ?? 'global', next);
    this.overwrites += 1;
    return [...next.values()];
  }

  /** What Discord stores and returns: every default filled in. */
  #normalise(
    record: Record<string, unknown>,
    guildId: string | undefined,
    before: APIApplicationCommand | undefined,
  ): APIApplicationCommand {
    const command = {
      id: before?.id ?? this.#ids.next(),
      application_id: this.#applicationId,
      version: '',
      default_member_permissions: (record.default_member_permissions as string | null | undefined) ?? null,
      type: (record.type as number | undefined) ?? 1,
      name: record.name as string,
      name_localizations: (record.name_localizations as Record<string, string> | undefined) ?? null,
      description: (record.description as string | undefined) ?? '',
      description_localizations:
        (record.description_localizations as Record<string, string> | undefined) ?? null,
      ...(guildId
        ? { guild_id: guildId }
        : { dm_permission: (record.dm_permission as boolean | undefined) ?? true }),
      contexts: (record.contexts as number[] | null | undefined) ?? null,
      integration_types: (record.integration_types as number[] | undefined) ?? [0],
      ...(Array.isArray(record.options) && record.options.length > 0
        ? { options: record.options.map((option) => normaliseOption(asRecord(option))) }
        : {}),
      nsfw: (record.nsfw as boolean | undefined) ?? false,
    };
    const { id: _id, version: _version, ...comparable } = command;
    const unchanged =
      before !== undefined && JSON.stringify(comparable) === JSON.stringify(withoutIdentity(before));
    command.version = unchanged ? before.version : this.#ids.next();
    return command as unknown as APIApplicationCommand;
  }
}

function withoutIdentity(command: APIApplicationCommand): Record<string, unknown> {
  const { id: _id, version: _version, ...rest } = command as unknown as Record<string, unknown>;
  return rest;
}

function normaliseOption(option: Record<string, unknown>): Record<string, unknown> {
  const { options, ...rest } = option;
  return {
    ...rest,
    name_localizations: option.name_localizations ?? null,
    description_localizations: option.description_localizations ?? null,
    ...(subcommandTypes.has(option.type as number) ? {} : { required: option.required ?? false }),
    ...(Array.isArray(options) ? { options: options.map((child) => normaliseOption(asRecord(child))) } : {}),
  };
}

function validateName(value: unknown, field: string, lowerCase: boolean): void {
  if (typeof value !== 'string' || value.length < 1 || value.length > 32)
    throw invalidFormBody(field, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
  if (lowerCase && !namePattern.test(value))
    throw invalidFormBody(field, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
}

function validateDescription(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length < 1 || value.length > 100)
    throw invalidFormBody(field, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
}

function validateCommand(raw: unknown, path: string): void {
  const command = asRecord(raw);
  const type = command.type ?? 1;
  if (![1, 2, 3, 4].includes(type as number))
    throw invalidFormBody(`${path}.type`, 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4}.');
  validateName(command.name, `${path}.name`, type === 1);
  if (type === 1) validateDescription(command.description, `${path}.description`);
  if (command.default_member_permissions != null && !/^\d+$/.test(String(command.default_member_permissions)))
    throw invalidFormBody(`${path}.default_member_permissions`, 'NUMBER_TYPE_COERCE', 'Value is not int.');
  validateOptions(command.options, `${path}.options`);
}

function validateOptions(options: unknown, path: string): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) throw invalidFormBody(path, 'BASE_TYPE_ARRAY', 'Must be an array.');
  if (options.length > maxOptions)
    throw invalidFormBody(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${maxOptions} or fewer in length.`);
  let optionalSeen = false;
  const names = new Set<string>();
  options.forEach((raw, index) => {
    const option = asRecord(raw);
    const field = `${path}.${index}`;
    if (!Number.isInteger(option.type) || (option.type as number) < 1 || (option.type as number) > 11)
      throw invalidFormBody(`${field}.type`, 'BASE_TYPE_CHOICES', 'Value must be one of {1, …, 11}.');
    validateName(option.name, `${field}.name`, true);
    validateDescription(option.description, `${field}.description`);
    if (names.has(option.name as string))
      throw invalidFormBody(
        `${field}.name`,
        'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        'Option names must be unique',
      );
    names.add(option.name as string);
    if (option.required === true && optionalSeen)
      throw invalidFormBody(
        `${field}.required`,
        'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        'Required options must be placed before non-required options',
      );
    if (option.required !== true) optionalSeen = true;
    if (Array.isArray(option.choices) && option.choices.length > maxChoices)
      throw invalidFormBody(
        `${field}.choices`,
        'BASE_TYPE_MAX_LENGTH',
        `Must be ${maxChoices} or fewer in length.`,
      );
    if (subcommandTypes.has(option.type as number)) validateOptions(option.options, `${field}.options`);
  });
}
