export * from './gateway-commands.js';
export * from './shard-generations.js';
