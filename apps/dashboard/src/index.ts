export * from './cluster-overview.js';
export * from './config.js';
export * from './dashboard-app.js';
