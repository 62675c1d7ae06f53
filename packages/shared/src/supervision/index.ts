export * from './app-process.js';
export * from './managed-process.js';
