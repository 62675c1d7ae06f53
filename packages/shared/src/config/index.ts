export * from './common-env.js';
export * from './config-error.js';
export * from './env-fields.js';
export * from './load-config.js';
