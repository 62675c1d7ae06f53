export * from './common-env.js';
export * from './config-error.js';
export * from './dedupe-env.js';
export * from './development-env.js';
export * from './env-docs.js';
export * from './env-fields.js';
export * from './load-config.js';
export * from './renamed-variables.js';
