export * from './config.js';
export * from './delayed/delayed-job-claims.js';
export * from './delayed/delayed-job-runner.js';
export * from './periodic/periodic-jobs.js';
export * from './periodic/prune-handled-events.js';
export * from './periodic/run-with-deadline.js';
export * from './periodic/scheduled-job.js';
export * from './scheduler-app.js';
