export * from './cluster-overview.js';
export * from './identify-budget.js';
export * from './live-processes.js';
export * from './reshard-view.js';
export * from './shard-rows.js';
