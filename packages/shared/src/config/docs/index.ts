export * from './config-catalogue.js';
export * from './render-config-table.js';
export * from './render-env-example.js';
