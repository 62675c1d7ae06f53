import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTrafficMix, type TrafficGenerator } from './load/traffic-generator.js';
import type { RestFault } from './rest/rest-faults.js';
import type { DiscordSimulator } from './simulator.js';

/** The generator started over the control API, if any (one simulator per process). */
let traffic: TrafficGenerator | undefined;

/**
 * `/_simulator/*`: the same controls the library offers, over HTTP, for the simulator process and for
 * tests written in other languages. Only ever bound to loopback.
 */
export function handleControlRequest(
  simulator: DiscordSimulator,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const reply = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    let input: Record<string, unknown> = {};
    try {
      if (chunks.length > 0) input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      reply(400, { error: 'body must be JSON' });
      return;
    }
    const path = new URL(request.url ?? '/', 'http://simulator').pathname;
    const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
    try {
      if (request.method === 'POST' && path === '/_simulator/messages') {
        const count = typeof input.count === 'number' ? input.count : 1;
        if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
          reply(400, { error: 'count must be a whole number from 1 to 1000000' });
          return;
        }
        const message = {
          ...(text('guildId') ? { guildId: text('guildId') } : {}),
          ...(text('channelId') ? { channelId: text('channelId') } : {}),
          ...(text('content') ? { content: text('content') } : {}),
        };
        reply(200, { sent: simulator.injectMessageCreates(count, message).map((sent) => sent.id) });
      } else if (request.method === 'POST' && path === '/_simulator/interactions') {
        const commandName = text('commandName');
        if (!commandName) {
          reply(400, { error: 'commandName is required' });
          return;
        }
        const interaction = simulator.injectInteraction({
          commandName,
          ...(text('guildId') ? { guildId: text('guildId') } : {}),
        });
        reply(200, { id: interaction.id });
      } else if (request.method === 'POST' && path === '/_simulator/traffic') {
        const eventsPerSecond = Number(input.eventsPerSecond);
        const mix = typeof input.mix === 'string' ? parseTrafficMix(input.mix) : undefined;
        traffic?.stop();
        traffic = simulator.startTraffic({ eventsPerSecond, ...(mix ? { mix } : {}) });
        reply(200, { started: true, eventsPerSecond });
      } else if (request.method === 'DELETE' && path === '/_simulator/traffic') {
        const report = traffic?.stop();
        traffic = undefined;
        reply(200, report ?? { sent: 0 });
      } else if (request.method === 'POST' && path === '/_simulator/faults/rest') {
        simulator.injectRestFault(input as unknown as RestFault);
        reply(200, { added: true });
      } else if (request.method === 'DELETE' && path === '/_simulator/faults/rest') {
        simulator.clearRestFaults();
        reply(200, { cleared: true });
      } else if (request.method === 'POST' && path === '/_simulator/faults/gateway') {
        const shardId = typeof input.shardId === 'number' ? input.shardId : undefined;
        switch (input.action) {
          case 'drop':
            simulator.dropConnection(
              shardId ?? 0,
              typeof input.code === 'number' ? { code: input.code } : {},
            );
            break;
          case 'reconnect':
            simulator.requestReconnect(shardId);
            break;
          case 'invalidate':
            simulator.invalidateSession(shardId ?? 0, input.resumable === true);
            break;
          case 'withhold-acks':
            simulator.withholdHeartbeatAcks(shardId, input.withhold !== false);
            break;
          default:
            reply(400, { error: 'action must be drop, reconnect, invalidate or withhold-acks' });
            return;
        }
        reply(200, { done: input.action });
      } else if (request.method === 'GET' && path === '/_simulator/rest-calls') {
        reply(
          200,
          simulator.restCalls.map(({ path: _path, ...call }) => call),
        );
      } else if (request.method === 'GET' && path === '/_simulator/sessions') {
        reply(200, simulator.sessions());
      } else if (request.method === 'GET' && path === '/_simulator/stats') {
        reply(200, simulator.stats());
      } else {
        reply(404, { error: `no control endpoint ${request.method} ${path}` });
      }
    } catch (error) {
      reply(400, { error: error instanceof Error ? error.message : String(error) });
    }
  });
}
