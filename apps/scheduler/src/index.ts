export * from './config.js';
export * from './jobs/prune-handled-events.js';
export * from './jobs/scheduled-job.js';
export * from './scheduler-app.js';
