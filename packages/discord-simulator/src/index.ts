export { DispatchLedger, type DispatchRecord } from './dispatch-ledger.js';
export { allIntentBits, GatewayCloseCode, privilegedIntentBits } from './gateway/close-codes.js';
export type { SessionSnapshot, SessionState } from './gateway/gateway-session.js';
export {
  defaultTrafficMix,
  parseTrafficMix,
  TrafficGenerator,
  type TrafficOptions,
  type TrafficReport,
} from './load/traffic-generator.js';
export type { InteractionInput, MessageInput } from './model/payloads.js';
export { SeededRandom } from './model/seeded-random.js';
export { SnowflakeGenerator, shardIdForGuild, snowflakeTimestampMs } from './model/snowflake.js';
export {
  defaultStateMutationMix,
  type StateMutationKind,
  type StateMutationMix,
  stateMutationKinds,
} from './model/state-mutations.js';
export type { SimulatedChannel, SimulatedGuild } from './model/world.js';
export { type BucketPolicyName, defaultBucketPolicies } from './rest/bucket-policies.js';
export type { RestCallRecord } from './rest/rest-call-record.js';
export type { RestFault } from './rest/rest-faults.js';
export { DiscordSimulator, type SimulatorOptions, type SimulatorStats } from './simulator.js';
