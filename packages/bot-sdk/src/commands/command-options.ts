import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandInteractionDataBasicOption,
  type APIAttachment,
  type APIChatInputApplicationCommandInteractionDataResolved,
  type APIInteractionDataResolvedChannel,
  type APIRole,
  type APIUser,
  ApplicationCommandOptionType,
} from 'discord-api-types/v10';

/** An option value failed its declared rules; the user is told which option and why. */
export class CommandOptionError extends Error {
  override readonly name = 'CommandOptionError';
}

type Resolved = APIChatInputApplicationCommandInteractionDataResolved | undefined;

/** One declared option: how Discord registers it and how a received value is checked and converted. */
export interface OptionDefinition<Value, Required extends boolean> {
  readonly required: Required;
  /** The registration body, without the name (the key in the options object is the name). */
  toJSON(name: string): APIApplicationCommandBasicOption;
  parse(name: string, raw: APIApplicationCommandInteractionDataBasicOption, resolved: Resolved): Value;
}

// biome-ignore lint/suspicious/noExplicitAny: variance of the value type is irrelevant when collecting definitions
export type OptionDefinitions = Record<string, OptionDefinition<any, boolean>>;

/** The parsed options of a command: required options are always present, optional ones may be undefined. */
export type OptionValues<Definitions extends OptionDefinitions> = {
  [Name in keyof Definitions]: Definitions[Name] extends OptionDefinition<infer Value, infer Required>
    ? Required extends true
      ? Value
      : Value | undefined
    : never;
};

interface Common {
  description: string;
  required?: boolean;
}

/**
 * Whether settings declare a required option. Inferred from the settings argument rather than a type
 * parameter of its own: inside `defineCommand({ options: { … } })` a builder's return type is contextually
 * typed, which would widen a `Required` parameter to `boolean`.
 */
type RequiredOf<Settings> = Settings extends { required: true } ? true : false;
type NumericSettings = Common & { min?: number; max?: number; choices?: readonly number[] };

function expectType(
  name: string,
  raw: APIApplicationCommandInteractionDataBasicOption,
  type: ApplicationCommandOptionType,
): void {
  if (raw.type !== type) {
    throw new CommandOptionError(
      `option \`${name}\` has type ${ApplicationCommandOptionType[raw.type]}, expected ${ApplicationCommandOptionType[type]}`,
    );
  }
}

function definition<Value, Required extends boolean>(
  common: Common,
  body: Omit<APIApplicationCommandBasicOption, 'name' | 'description' | 'required'>,
  parse: OptionDefinition<Value, Required>['parse'],
): OptionDefinition<Value, Required> {
  return {
    required: (common.required ?? false) as Required,
    toJSON: (name) =>
      ({
        ...body,
        name,
        description: common.description,
        required: common.required ?? false,
      }) as APIApplicationCommandBasicOption,
    parse,
  };
}

function checkChoices<Value extends string | number>(name: string, value: Value, choices?: readonly Value[]) {
  if (choices && !choices.includes(value)) {
    throw new CommandOptionError(`option \`${name}\` must be one of ${choices.join(', ')}`);
  }
}

/** Option builders; Discord validates most rules too, but a worker never trusts the payload. */
export const option = {
  string<
    const Settings extends Common & { minLength?: number; maxLength?: number; choices?: readonly string[] },
  >(settings: Settings) {
    return definition<string, RequiredOf<Settings>>(
      settings,
      {
        type: ApplicationCommandOptionType.String,
        min_length: settings.minLength,
        max_length: settings.maxLength,
        choices: settings.choices?.map((choice) => ({ name: choice, value: choice })),
      } as Omit<APIApplicationCommandBasicOption, 'name' | 'description' | 'required'>,
      (name, raw) => {
        expectType(name, raw, ApplicationCommandOptionType.String);
        const value = String(raw.value);
        if (settings.minLength !== undefined && value.length < settings.minLength)
          throw new CommandOptionError(
            `option \`${name}\` must be at least ${settings.minLength} characters`,
          );
        if (settings.maxLength !== undefined && value.length > settings.maxLength)
          throw new CommandOptionError(`option \`${name}\` must be at most ${settings.maxLength} characters`);
        checkChoices(name, value, settings.choices);
        return value;
      },
    );
  },

  integer<const Settings extends NumericSettings>(settings: Settings) {
    return numeric<RequiredOf<Settings>>(settings, ApplicationCommandOptionType.Integer);
  },

  number<const Settings extends NumericSettings>(settings: Settings) {
    return numeric<RequiredOf<Settings>>(settings, ApplicationCommandOptionType.Number);
  },

  boolean<const Settings extends Common>(settings: Settings) {
    return definition<boolean, RequiredOf<Settings>>(
      settings,
      { type: ApplicationCommandOptionType.Boolean },
      (name, raw) => {
        expectType(name, raw, ApplicationCommandOptionType.Boolean);
        return Boolean(raw.value);
      },
    );
  },

  /** A user; the value is the resolved user object Discord sends with the interaction. */
  user<const Settings extends Common>(settings: Settings) {
    return definition<APIUser, RequiredOf<Settings>>(
      settings,
      { type: ApplicationCommandOptionType.User },
      (name, raw, resolved) => {
        expectType(name, raw, ApplicationCommandOptionType.User);
        return resolvedEntry(name, String(raw.value), resolved?.users);
      },
    );
  },

  channel<const Settings extends Common>(settings: Settings) {
    return definition<APIInteractionDataResolvedChannel, RequiredOf<Settings>>(
      settings,
      { type: ApplicationCommandOptionType.Channel },
      (name, raw, resolved) => {
        expectType(name, raw, ApplicationCommandOptionType.Channel);
        return resolvedEntry(name, String(raw.value), resolved?.channels);
      },
    );
  },

  role<const Settings extends Common>(settings: Settings) {
    return definition<APIRole, RequiredOf<Settings>>(
      settings,
      { type: ApplicationCommandOptionType.Role },
      (name, raw, resolved) => {
        expectType(name, raw, ApplicationCommandOptionType.Role);
        return resolvedEntry(name, String(raw.value), resolved?.roles);
      },
    );
  },

  /**
   * A file the user attaches to the command; the value is the attachment Discord resolved (name, size,
   * content type and its CDN `url`). Read its content with `readAttachmentText`.
   */
  attachment<const Settings extends Common>(settings: Settings) {
    return definition<APIAttachment, RequiredOf<Settings>>(
      settings,
      { type: ApplicationCommandOptionType.Attachment },
      (name, raw, resolved) => {
        expectType(name, raw, ApplicationCommandOptionType.Attachment);
        return resolvedEntry(name, String(raw.value), resolved?.attachments);
      },
    );
  },
};

function numeric<Required extends boolean>(
  settings: NumericSettings,
  type: ApplicationCommandOptionType.Integer | ApplicationCommandOptionType.Number,
) {
  return definition<number, Required>(
    settings,
    {
      type,
      min_value: settings.min,
      max_value: settings.max,
      choices: settings.choices?.map((choice) => ({ name: String(choice), value: choice })),
    } as Omit<APIApplicationCommandBasicOption, 'name' | 'description' | 'required'>,
    (name, raw) => {
      expectType(name, raw, type);
      const value = Number(raw.value);
      if (
        !Number.isFinite(value) ||
        (type === ApplicationCommandOptionType.Integer && !Number.isInteger(value))
      )
        throw new CommandOptionError(
          `option \`${name}\` must be a ${type === ApplicationCommandOptionType.Integer ? 'whole ' : ''}number`,
        );
      if (settings.min !== undefined && value < settings.min)
        throw new CommandOptionError(`option \`${name}\` must be at least ${settings.min}`);
      if (settings.max !== undefined && value > settings.max)
        throw new CommandOptionError(`option \`${name}\` must be at most ${settings.max}`);
      checkChoices(name, value, settings.choices);
      return value;
    },
  );
}

function resolvedEntry<Entry>(name: string, id: string, entries: Record<string, Entry> | undefined): Entry {
  const entry = entries?.[id];
  if (!entry)
    throw new CommandOptionError(`option \`${name}\` refers to ${id}, which Discord did not resolve`);
  return entry;
}

/** Checks and converts the received options against the declared ones; unknown options are rejected. */
export function parseOptions<Definitions extends OptionDefinitions>(
  definitions: Definitions,
  received: readonly APIApplicationCommandInteractionDataBasicOption[] = [],
  resolved?: Resolved,
): OptionValues<Definitions> {
  const byName = new Map(received.map((raw) => [raw.name, raw]));
  const values: Record<string, unknown> = {};
  for (const [name, declared] of Object.entries(definitions)) {
    const raw = byName.get(name);
    byName.delete(name);
    if (!raw) {
      if (declared.required) throw new CommandOptionError(`option \`${name}\` is required`);
      values[name] = undefined;
      continue;
    }
    values[name] = declared.parse(name, raw, resolved);
  }
  const unknown = [...byName.keys()];
  if (unknown.length > 0)
    throw new CommandOptionError(`unknown options ${unknown.map((name) => `\`${name}\``).join(', ')}`);
  return values as OptionValues<Definitions>;
}
