/**
 * The runtime's side of the bot contract (worker and scheduler): loading a bot module, the registry events
 * and jobs are dispatched through, the bot's migrations and the delayed-job store. Bots import
 * `@dgc/bot-sdk`, never this.
 */
export { HandlerRegistry } from '../events/handler-registry.js';
export type { BotJobs } from '../jobs/bot-jobs.js';
export type { DelayedJobDefinition } from '../jobs/delayed-job-handler.js';
export { RedisGatewayCommands } from '../jobs/gateway-commands.js';
export type { DelayedJobContext, JobContext } from '../jobs/job-context.js';
export type { PeriodicJob } from '../jobs/periodic-job.js';
export { applyBotMigrations, botMigrationSource } from './bot-migrations.js';
export {
  type BotDatabaseSettings,
  type BotModule,
  BotModuleError,
  importBotModule,
  loadBotModule,
  type RunningBot,
} from './bot-module.js';
export { botModuleLocation, defaultBotPackage } from './bot-module-location.js';
export {
  type CommandRegistrationResult,
  type CommandSetDifference,
  describeDifference,
  diffCommands,
  normaliseCommand,
  registerCommands,
} from './command-registration.js';
export { PostgresDelayedJobs } from './postgres-delayed-jobs.js';
export {
  type CacheEntity,
  type CacheLookupOutcome,
  RedisStateCache,
  type RedisStateCacheOptions,
  type StateCacheObserver,
} from './redis-state-cache.js';
