export * from './app-process.js';
export * from './launch-script.js';
export * from './log-message.js';
export * from './managed-process.js';
export * from './readiness.js';
export * from './repository-root.js';
