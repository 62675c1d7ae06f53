/**
 * The worker's side of the bot contract: loading a bot module, the registry events are dispatched
 * through, and the bot's migrations. Bots import `@dgc/bot-sdk`, never this.
 */
export { HandlerRegistry } from '../events/handler-registry.js';
export { applyBotMigrations, botMigrationSource } from './bot-migrations.js';
export {
  type BotDatabaseSettings,
  type BotModule,
  BotModuleError,
  importBotModule,
  loadBotModule,
  type RunningBot,
} from './bot-module.js';
export {
  type CacheEntity,
  type CacheLookupOutcome,
  RedisStateCache,
  type RedisStateCacheOptions,
  type StateCacheObserver,
} from './redis-state-cache.js';
