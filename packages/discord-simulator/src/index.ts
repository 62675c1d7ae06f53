export { allIntentBits, GatewayCloseCode, privilegedIntentBits } from './gateway/close-codes.js';
export type { SessionSnapshot, SessionState } from './gateway/gateway-session.js';
export type { InteractionInput, MessageInput } from './model/payloads.js';
export { SnowflakeGenerator, shardIdForGuild, snowflakeTimestampMs } from './model/snowflake.js';
export type { SimulatedChannel, SimulatedGuild } from './model/world.js';
export type { RestCallRecord } from './rest/rest-call-record.js';
export { defaultBucketPolicies } from './rest/rest-server.js';
export { DiscordSimulator, type SimulatorOptions, type SimulatorStats } from './simulator.js';
