export * from './close-worker.js';
export * from './graceful-shutdown.js';
export * from './service-lifecycle.js';
