import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from './fault-injector.js';
import type { SessionSnapshot } from './gateway/gateway-session.js';
import { parseTrafficMix, type TrafficGenerator, type TrafficOptions } from './load/traffic-generator.js';
import type { InteractionInput } from './model/payloads/interaction-payloads.js';
import type { MessageInput } from './model/payloads/message-payloads.js';
import type { RestCallRecord } from './rest/rest-call-record.js';
import type { RestFault } from './rest/rest-faults.js';
import type { SimulatorStats } from './simulator-stats.js';

/**
 * The simulator's controls the control API drives (`DiscordSimulator` has them). Declared here so that
 * this module does not depend on the simulator that mounts it.
 */
export interface SimulatorControls {
  readonly faults: FaultInjector;
  readonly restCalls: readonly RestCallRecord[];
  injectMessageCreates(count: number, input?: MessageInput): { id: string }[];
  injectInteraction(input: InteractionInput): { id: string };
  startTraffic(options: TrafficOptions): TrafficGenerator;
  sessions(): SessionSnapshot[];
  /** The shard count GET /gateway/bot recommends; settable. */
  recommendedShardCount: number;
  stats(): SimulatorStats;
}

type ControlInput = Record<string, unknown>;
interface ControlReply {
  status: number;
  body: unknown;
}
type ControlHandler = (input: ControlInput) => ControlReply;

const ok = (body: unknown): ControlReply => ({ status: 200, body });
const badRequest = (error: string): ControlReply => ({ status: 400, body: { error } });
const text = (input: ControlInput, key: string) =>
  typeof input[key] === 'string' ? (input[key] as string) : undefined;

/**
 * `/_simulator/*`: the same controls the library offers, over HTTP, for the simulator process and for
 * tests written in other languages. Only ever bound to loopback. Requests carry a JSON body (or none);
 * answers are JSON, 400 with `{ error }` when a control refuses its input.
 */
export class ControlApi {
  readonly #simulator: SimulatorControls;
  /** The generator started over this API, if any; a new start replaces it. */
  #traffic: TrafficGenerator | undefined;
  /** Handlers by `METHOD path`. */
  readonly #routes: ReadonlyMap<string, ControlHandler> = new Map<string, ControlHandler>([
    ['POST /_simulator/messages', (input) => this.#sendMessages(input)],
    ['POST /_simulator/interactions', (input) => this.#sendInteraction(input)],
    ['POST /_simulator/traffic', (input) => this.#startTraffic(input)],
    ['DELETE /_simulator/traffic', () => this.#stopTraffic()],
    ['POST /_simulator/faults/rest', (input) => this.#addRestFault(input)],
    ['DELETE /_simulator/faults/rest', () => this.#clearRestFaults()],
    ['POST /_simulator/faults/gateway', (input) => this.#gatewayFault(input)],
    // The real path holds interaction tokens: only the masked `route` leaves the process.
    [
      'GET /_simulator/rest-calls',
      () => ok(this.#simulator.restCalls.map(({ path: _path, ...call }) => call)),
    ],
    ['PUT /_simulator/gateway/shard-count', (input) => this.#setShardCount(input)],
    ['GET /_simulator/gateway/shard-count', () => ok({ shards: this.#simulator.recommendedShardCount })],
    ['GET /_simulator/sessions', () => ok(this.#simulator.sessions())],
    ['GET /_simulator/stats', () => ok(this.#simulator.stats())],
  ]);

  constructor(simulator: SimulatorControls) {
    this.#simulator = simulator;
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { status, body } = this.#answer(request, chunks);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  }

  #answer(request: IncomingMessage, chunks: Buffer[]): ControlReply {
    let input: ControlInput = {};
    try {
      if (chunks.length > 0) input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return badRequest('body must be JSON');
    }
    const path = new URL(request.url ?? '/', 'http://simulator').pathname;
    const handler = this.#routes.get(`${request.method} ${path}`);
    if (!handler) return { status: 404, body: { error: `no control endpoint ${request.method} ${path}` } };
    try {
      return handler(input);
    } catch (error) {
      return badRequest(error instanceof Error ? error.message : String(error));
    }
  }

  #sendMessages(input: ControlInput): ControlReply {
    const count = typeof input.count === 'number' ? input.count : 1;
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
      return badRequest('count must be a whole number from 1 to 1000000');
    }
    const guildId = text(input, 'guildId');
    const channelId = text(input, 'channelId');
    const content = text(input, 'content');
    const message = {
      ...(guildId ? { guildId } : {}),
      ...(channelId ? { channelId } : {}),
      ...(content ? { content } : {}),
    };
    return ok({ sent: this.#simulator.injectMessageCreates(count, message).map((sent) => sent.id) });
  }

  #sendInteraction(input: ControlInput): ControlReply {
    const commandName = text(input, 'commandName');
    if (!commandName) return badRequest('commandName is required');
    const guildId = text(input, 'guildId');
    const interaction = this.#simulator.injectInteraction({ commandName, ...(guildId ? { guildId } : {}) });
    return ok({ id: interaction.id });
  }

  #startTraffic(input: ControlInput): ControlReply {
    const eventsPerSecond = Number(input.eventsPerSecond);
    const mix = typeof input.mix === 'string' ? parseTrafficMix(input.mix) : undefined;
    this.#traffic?.stop();
    this.#traffic = this.#simulator.startTraffic({ eventsPerSecond, ...(mix ? { mix } : {}) });
    return ok({ started: true, eventsPerSecond });
  }

  #stopTraffic(): ControlReply {
    const report = this.#traffic?.stop();
    this.#traffic = undefined;
    return ok(report ?? { sent: 0 });
  }

  #setShardCount(input: ControlInput): ControlReply {
    if (typeof input.shards !== 'number') return badRequest('shards must be a number');
    this.#simulator.recommendedShardCount = input.shards;
    return ok({ shards: this.#simulator.recommendedShardCount });
  }

  #addRestFault(input: ControlInput): ControlReply {
    this.#simulator.faults.addRestFault(input as unknown as RestFault);
    return ok({ added: true });
  }

  #clearRestFaults(): ControlReply {
    this.#simulator.faults.clearRestFaults();
    return ok({ cleared: true });
  }

  #gatewayFault(input: ControlInput): ControlReply {
    const faults = this.#simulator.faults;
    const shardId = typeof input.shardId === 'number' ? input.shardId : undefined;
    switch (input.action) {
      case 'drop':
        faults.dropConnection(shardId ?? 0, typeof input.code === 'number' ? { code: input.code } : {});
        break;
      case 'reconnect':
        faults.requestReconnect(shardId);
        break;
      case 'invalidate':
        faults.invalidateSession(shardId ?? 0, input.resumable === true);
        break;
      case 'withhold-acks':
        faults.withholdHeartbeatAcks(shardId, input.withhold !== false);
        break;
      default:
        return badRequest('action must be drop, reconnect, invalidate or withhold-acks');
    }
    return ok({ done: input.action });
  }
}
