export * from './check-services.js';
export * from './service-unreachable-error.js';
