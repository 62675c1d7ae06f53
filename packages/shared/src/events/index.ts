export * from './event-batch.js';
export * from './event-envelope.js';
export * from './event-subscriptions.js';
export * from './lane-topology.js';
export * from './lanes.js';
export * from './owned-redis-state.js';
export * from './parked-dispatches.js';
export * from './queue-names.js';
