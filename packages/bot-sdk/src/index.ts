/**
 * What a bot is written against. A bot module's default export is `defineBot(...)`; the worker loads it
 * (WORKER_BOT_MODULE) and runs its handlers. The worker's side of the contract is `@dgc/bot-sdk/runtime`.
 */

export type {
  CachedChannel,
  CachedGuild,
  CachedMember,
  CachedOverwrite,
  CachedRole,
  DispatchData,
  GatewayEventEnvelope,
  Logger,
  Redis,
} from '@dgc/shared';
/**
 * Throw it for a failure that will repeat on every attempt (bad input): the job fails at once instead of
 * being retried. Discord 4xx answers are treated this way already; anything else is retried with back-off.
 */
export { UnrecoverableError } from 'bullmq';
export { type BotDefinition, type BotSetup, type BotSetupWithDatabase, defineBot } from './bot/define-bot.js';
export {
  type BotDatabase,
  type BotDatabaseConnection,
  type BotDatabaseDefinition,
  type DatabaseClient,
  defineDatabase,
} from './bot/define-database.js';
export {
  allPermissions,
  basePermissions,
  canModerate,
  highestRolePosition,
  type PermissionGuild,
  permissionsIn,
} from './cache/permissions.js';
export type { StateCache } from './cache/state-cache.js';
export {
  CommandOptionError,
  type OptionDefinition,
  type OptionDefinitions,
  type OptionValues,
  option,
} from './commands/command-options.js';
export {
  type CommandContext,
  type CommandDefinition,
  defineCommand,
  type SlashCommand,
} from './commands/define-command.js';
export type { ReplyBody } from './commands/interaction-responder.js';
export { DuplicateRegistrationError } from './commands/interaction-router.js';
export type { Bot } from './events/bot.js';
export type { EventHandler, HandlerContext } from './events/handler-context.js';
