export * from './logger.js';
export * from './secret-scrubber.js';
