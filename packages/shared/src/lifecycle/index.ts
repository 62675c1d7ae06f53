export * from './close-worker.js';
export * from './event-loop-monitor.js';
export * from './graceful-shutdown.js';
export * from './process-registry.js';
export * from './run-process.js';
export * from './service-lifecycle.js';
export * from './task-monitor.js';
