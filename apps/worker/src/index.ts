export { botModuleLocation, defaultBotPackage } from '@dgc/bot-sdk/runtime';
export { type AppliedMigrations, migrateDatabase } from './bot/migrate-database.js';
export * from './config.js';
export { EventDedupe, type EventDedupeOptions } from './dedupe/event-dedupe.js';
export * from './runtime/job-errors.js';
export * from './runtime/run-with-timeout.js';
export * from './runtime/worker-metrics.js';
export * from './worker-app.js';
