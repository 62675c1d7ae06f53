export * from './managed-process.js';
