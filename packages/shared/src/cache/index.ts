export * from './cached-entities.js';
