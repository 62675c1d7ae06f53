export * from './local-fallback-limiter.js';
export * from './open-shared-rest.js';
export * from './rate-limited-rest.js';
export * from './response-limits.js';
export * from './route-key.js';
export * from './shared-rate-limiter.js';
