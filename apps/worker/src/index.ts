export * from './config.js';
export * from './handlers/bot-handlers.js';
export * from './handlers/bot-module.js';
export * from './handlers/handler-context.js';
export * from './handlers/handler-registry.js';
export * from './runtime/job-errors.js';
export * from './runtime/run-with-timeout.js';
export * from './worker-app.js';
