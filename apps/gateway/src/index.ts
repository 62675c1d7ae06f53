// For the cache benchmark's Redis bytes, written by the gateway's own writer.
export * from './cache/state-cache-writer.js';
// For the end-to-end tests that drive one process's shard connections against the simulator.
export * from './cluster/redis-session-store.js';
export * from './config.js';
export * from './gateway-app.js';
export * from './gateway-counters.js';
export * from './gateway-metrics.js';
export * from './publish/batching-publisher.js';
export * from './shards/discord-gateway-info.js';
export * from './shards/shard-connections.js';
export * from './shards/shard-ids.js';
