export * from './cache/index.js';
export * from './config/index.js';
export * from './events/index.js';
export * from './gateway/index.js';
export * from './lifecycle/index.js';
export * from './logging/index.js';
export * from './redis/index.js';
export * from './services/index.js';
