export * from './config.js';
export * from './dashboard-app.js';
