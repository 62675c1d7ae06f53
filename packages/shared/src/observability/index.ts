export * from './metrics-server.js';
export * from './process-metrics.js';
