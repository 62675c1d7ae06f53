export type { AttachmentInput, CdnRequestRecord } from './cdn/cdn-files.js';
export { DispatchLedger, type DispatchRecord } from './dispatch-ledger.js';
export type { FaultInjector } from './fault-injector.js';
export { allIntentBits, GatewayCloseCode, privilegedIntentBits } from './gateway/close-codes.js';
export type { SessionSnapshot, SessionState } from './gateway/gateway-session.js';
export type { PresenceUpdateRecord } from './gateway/presence-updates.js';
export {
  defaultTrafficMix,
  parseTrafficMix,
  TrafficGenerator,
  type TrafficOptions,
  type TrafficReport,
  type TrafficSink,
} from './load/traffic-generator.js';
export type { ComponentInteractionInput, InteractionInput } from './model/payloads/interaction-payloads.js';
export type { MessageInput } from './model/payloads/message-payloads.js';
export { SeededRandom } from './model/seeded-random.js';
export { SnowflakeGenerator, shardIdForGuild, snowflakeTimestampMs } from './model/snowflake.js';
export {
  defaultStateMutationMix,
  type StateMutationKind,
  type StateMutationMix,
  stateMutationKinds,
  threadAndEmojiMutationMix,
} from './model/state-mutation-mix.js';
export type {
  SimulatedChannel,
  SimulatedEmoji,
  SimulatedGuild,
  SimulatedThread,
  SimulatedThreadMember,
} from './model/world.js';
export { type BucketPolicyName, defaultBucketPolicies } from './rest/bucket-policies.js';
export type { RestCallRecord } from './rest/rest-call-record.js';
export type { RestFault } from './rest/rest-faults.js';
export { DiscordSimulator } from './simulator.js';
export type { SimulatorEvents } from './simulator-events.js';
export type { SimulatorOptions } from './simulator-options.js';
export type { SimulatorStats } from './simulator-stats.js';
