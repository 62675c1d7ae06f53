export * from './build-copy.js';
export * from './compiled-role.js';
export * from './compiled-runtime.js';
