export * from './cache/state-cache-writer.js';
export * from './config.js';
export * from './gateway-app.js';
export * from './gateway-counters.js';
export * from './gateway-metrics.js';
export * from './publish/batching-publisher.js';
export * from './shards/shard-ids.js';
