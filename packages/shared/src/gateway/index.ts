export * from './gateway-commands.js';
