import type { EventEmitter } from 'node:events';
import type { RestCallRecord } from './rest/rest-call-record.js';

/** The events a `DiscordSimulator` emits (session lifecycle and REST calls; not each dispatch). */
export interface SimulatorEvents {
  identify: [{ shard: [number, number]; sessionId: string }];
  ready: [{ shard: [number, number]; sessionId: string }];
  resumed: [{ shard: [number, number]; sessionId: string; replayed: number }];
  closed: [{ shard?: [number, number]; sessionId?: string; code: number; byClient: boolean }];
  restCall: [RestCallRecord];
  interactionResponse: [RestCallRecord];
}

export type SimulatorEmitter = EventEmitter<SimulatorEvents>;
