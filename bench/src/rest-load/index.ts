export * from './callback-latency.js';
export * from './run-rest-load.js';
