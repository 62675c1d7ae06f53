export * from './cross-slot.js';
export * from './redis-connection.js';
export * from './redis-keys.js';
export * from './redis-settings-check.js';
export * from './redis-target.js';
export * from './script-loader.js';
