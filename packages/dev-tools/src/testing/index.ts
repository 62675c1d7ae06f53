export * from './free-port.js';
export * from './local-redis-cluster.js';
export * from './poll-until.js';
export * from './test-database.js';
