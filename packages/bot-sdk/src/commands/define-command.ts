import {
  type APIApplicationCommandInteractionDataBasicOption,
  type APIChatInputApplicationCommandInteraction,
  type APIUser,
  ApplicationCommandType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { HandlerContext } from '../events/handler-context.js';
import {
  CommandOptionError,
  type OptionDefinitions,
  type OptionValues,
  parseOptions,
} from './command-options.js';
import { interactionContext } from './interaction-context.js';
import { InteractionResponder, type ReplyBody } from './interaction-responder.js';

/** What a command's `execute` gets: the handler context, parsed options and ways to answer. */
export interface CommandContext<Options extends OptionDefinitions> extends HandlerContext {
  interaction: APIChatInputApplicationCommandInteraction;
  options: OptionValues<Options>;
  /** The user who ran the command (in a guild or in DMs). */
  user: APIUser;
  reply(body: ReplyBody): Promise<void>;
  /** Edits the first answer in place (see `progressReply` for bulk work reporting its progress). */
  editReply(body: ReplyBody): Promise<void>;
  defer(options?: { ephemeral?: boolean }): Promise<void>;
  followUp(body: ReplyBody): Promise<unknown>;
}

export interface CommandDefinition<Options extends OptionDefinitions> {
  name: string;
  description: string;
  options?: Options;
  /** Permissions the member needs in the channel (PermissionFlagsBits, OR-ed); implies guild-only. */
  requiredPermissions?: bigint;
  /**
   * Defer the answer (Discord shows "thinking…") if the command has not answered this long after the gateway
   * received the interaction, so slow work never misses Discord's 3 s window. `false` turns it off.
   */
  autoDeferAfterMs?: number | false;
  /** Whether the automatic deferral, and so the eventual answer, is visible only to the user. */
  ephemeral?: boolean;
  execute(context: CommandContext<Options>): Promise<void>;
}

/** A slash command as the registry and the interaction router see it. */
export interface SlashCommand {
  readonly name: string;
  readonly description: string;
  /** The body to register the command with Discord (PUT /applications/{id}/commands). */
  toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody;
  handle(interaction: APIChatInputApplicationCommandInteraction, context: HandlerContext): Promise<void>;
}

/** Discord's limit is 3 s; deferring at 2 s leaves room for the callback's own round trip. */
const defaultAutoDeferAfterMs = 2_000;

/** Defines a typed slash command: options are validated and typed, permissions checked, slow work deferred. */
export function defineCommand<Options extends OptionDefinitions = Record<never, never>>(
  definition: CommandDefinition<Options>,
): SlashCommand {
  const declared = (definition.options ?? {}) as Options;
  return {
    name: definition.name,
    description: definition.description,
    toJSON: () => ({
      type: ApplicationCommandType.ChatInput,
      name: definition.name,
      description: definition.description,
      options: Object.entries(declared).map(([name, option]) => option.toJSON(name)),
      ...(definition.requiredPermissions !== undefined
        ? { default_member_permissions: String(definition.requiredPermissions), contexts: [0] }
        : {}),
    }),
    async handle(interaction, context) {
      const responder = new InteractionResponder(context.rest, interaction, context.signal);
      const ephemeral = definition.ephemeral ?? false;
      const refusal = permissionRefusal(interaction, definition.requiredPermissions);
      if (refusal) {
        await responder.reply({ content: refusal, ephemeral: true });
        return;
      }
      let options: OptionValues<Options>;
      try {
        options = parseOptions(
          declared,
          (interaction.data.options ?? []) as APIApplicationCommandInteractionDataBasicOption[],
          interaction.data.resolved,
        );
      } catch (error) {
        if (!(error instanceof CommandOptionError)) throw error;
        context.logger.info({ command: definition.name, reason: error.message }, 'invalid command options');
        await responder.reply({ content: `Invalid input: ${error.message}.`, ephemeral: true });
        return;
      }
      const autoDeferAfterMs = definition.autoDeferAfterMs ?? defaultAutoDeferAfterMs;
      const autoDefer =
        autoDeferAfterMs === false
          ? undefined
          : setTimeout(
              () => {
                responder.defer({ ephemeral }).catch((error: unknown) => {
                  context.logger.warn({ err: error, command: definition.name }, 'automatic deferral failed');
                });
              },
              Math.max(0, context.envelope.receivedAt + autoDeferAfterMs - Date.now()),
            );
      try {
        await definition.execute(
          interactionContext(context, interaction, {
            options,
            reply: (body: ReplyBody) => responder.reply(body),
            editReply: (body: ReplyBody) => responder.editReply(body),
            defer: (deferOptions?: { ephemeral?: boolean }) => responder.defer(deferOptions ?? { ephemeral }),
            followUp: (body: ReplyBody) => responder.followUp(body),
          }),
        );
      } finally {
        clearTimeout(autoDefer);
      }
    },
  };
}

const permissionNames = Object.entries(PermissionFlagsBits) as [string, bigint][];

/** Why the member may not run the command, or undefined when they may. */
function permissionRefusal(
  interaction: APIChatInputApplicationCommandInteraction,
  required: bigint | undefined,
): string | undefined {
  if (required === undefined || required === 0n) return undefined;
  if (!interaction.member) return 'This command can only be used in a server.';
  const granted = BigInt(interaction.member.permissions);
  const missing = permissionNames
    .filter(([, bit]) => (required & bit) === bit && (granted & bit) !== bit)
    .map(([name]) => name);
  return missing.length > 0
    ? `You need the ${missing.join(', ')} permission to use this command.`
    : undefined;
}
