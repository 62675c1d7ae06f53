/**
 * What a bot is written against. A bot module's default export is `defineBot(...)`; the worker loads it
 * (WORKER_BOT_MODULE) and runs its handlers, the scheduler loads the same module and runs its jobs. The worker's side of the contract is `@dgc/bot-sdk/runtime`.
 */

export type {
  CachedChannel,
  CachedEmoji,
  CachedGuild,
  CachedMember,
  CachedOverwrite,
  CachedRole,
  CachedThread,
  CachedThreadMetadata,
  DispatchData,
  GatewayEventEnvelope,
  Logger,
  Redis,
} from '@dgc/shared';
/**
 * A bot's own settings, documented like the platform's: wrap each zod field in `variable(schema, text)` and
 * the shape in `envGroup(heading, shape)`; listed in scripts/config-docs, they appear in `.env.example` and
 * the README's configuration table (`npm run config:docs`).
 */
/** Whether a cached channel's `type` is a thread's (`StateCache.channel` answers threads too). */
export { envGroup, isThreadType, variable } from '@dgc/shared';
/**
 * Throw it for a failure that will repeat on every attempt (bad input): the job fails at once instead of
 * being retried. Discord 4xx answers are treated this way already; anything else is retried with back-off.
 */
export { UnrecoverableError } from 'bullmq';
export {
  AttachmentReadError,
  type AttachmentReadFailure,
  type ReadAttachmentOptions,
  readAttachmentText,
} from './attachments/attachment-text.js';
export { type BotDefinition, type BotSetup, type BotSetupWithDatabase, defineBot } from './bot/define-bot.js';
export {
  type BotDatabase,
  type BotDatabaseConnection,
  type BotDatabaseDefinition,
  type DatabaseClient,
  defineDatabase,
} from './bot/define-database.js';
export {
  type BulkItemError,
  type BulkItemOutcome,
  type BulkOptions,
  type BulkProgress,
  type BulkReport,
  bulk,
} from './bulk/bulk.js';
export {
  ProgressReply,
  type ProgressReplyOptions,
  progressReply,
  type ReplyEditor,
} from './bulk/progress-reply.js';
export {
  allPermissions,
  basePermissions,
  canModerate,
  highestRolePosition,
  type PermissionChannel,
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
export {
  type ComponentContext,
  type ComponentDefinition,
  type ComponentHandler,
  defineComponent,
} from './commands/define-component.js';
export type { ReplyBody } from './commands/interaction-responder.js';
export { DuplicateRegistrationError } from './commands/interaction-router.js';
export type { Bot } from './events/bot.js';
export type { EventHandler, HandlerContext } from './events/handler-context.js';
export type { DelayedJobHandler, DelayedJobOptions } from './jobs/delayed-job-handler.js';
export type { DelayedJobs, ScheduleOptions } from './jobs/delayed-jobs.js';
export type { GatewayCommands } from './jobs/gateway-commands.js';
export type {
  DelayedJobContext,
  JobContext,
  JobTransaction,
  PeriodicJobContext,
} from './jobs/job-context.js';
export type { JsonValue } from './jobs/json-value.js';
export type { JobSchedule, PeriodicJobHandler, PeriodicJobOptions } from './jobs/periodic-job.js';
