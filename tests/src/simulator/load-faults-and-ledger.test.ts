import {
  DiscordSimulator,
  parseTrafficMix,
  SeededRandom,
  type SimulatorOptions,
  TrafficGenerator,
} from '@dgc/discord-simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { RawGatewayClient } from './raw-gateway-client.js';
import { restClient } from './rest-client.js';

const token = 'c2ltdWxhdG9yLXRlc3Q.load.test-token-for-the-simulator-load';
let simulator: DiscordSimulator;
const clients: RawGatewayClient[] = [];

async function start(options: Partial<SimulatorOptions> = {}) {
  simulator = await DiscordSimulator.start({
    token,
    guildCount: 20,
    seed: 11,
    identifyWindowMs: 0,
    ...options,
  });
  return simulator;
}

async function identified(shard: [number, number], intents: number) {
  const client = await RawGatewayClient.connect(`${simulator.gatewayUrl}?v=10&encoding=json`);
  clients.push(client);
  client.identify(token, { shard, intents });
  await client.waitForFrame((frame) => frame.t === 'READY');
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await simulator?.stop();
});

const GUILDS = 1;
const GUILD_MEMBERS = 2;
const GUILD_MESSAGES = 512;
const GUILD_MESSAGE_TYPING = 2048;
const MESSAGE_CONTENT = 32768;

describe('intents, generated traffic, faults and the ledger', () => {
  it('sends each event only to sessions whose intents cover it, and strips content without MESSAGE_CONTENT', async () => {
    await start({ guildCount: 2 });
    const withContent = await identified([0, 1], GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT | GUILD_MEMBERS);
    const withoutContent = await identified([0, 1], GUILDS | GUILD_MESSAGES);
    const sent = simulator.injectMessageCreate({ content: 'secret words' });
    simulator.injectGuildMemberAdd();
    const full = await withContent.waitForFrame((frame) => frame.t === 'MESSAGE_CREATE');
    const stripped = await withoutContent.waitForFrame((frame) => frame.t === 'MESSAGE_CREATE');
    expect((full.d as { content: string }).content).toBe('secret words');
    expect(stripped.d as { id: string; content: string }).toMatchObject({ id: sent.id, content: '' });
    await withContent.waitForFrame((frame) => frame.t === 'GUILD_MEMBER_ADD');
    expect(withoutContent.dispatches('GUILD_MEMBER_ADD')).toHaveLength(0);
  });

  it('records every dispatch per session and sequence, matching what clients received', async () => {
    await start();
    const shards = await Promise.all([
      identified([0, 2], GUILDS | GUILD_MESSAGES),
      identified([1, 2], GUILDS | GUILD_MESSAGES),
    ]);
    const sent = simulator.injectMessageCreates(200);
    await Promise.all(
      shards.map((client, shardId) =>
        client.waitForFrame(
          () =>
            client.dispatches('MESSAGE_CREATE').length ===
            simulator.ledger.entries('MESSAGE_CREATE').filter((entry) => entry.shardId === shardId).length,
        ),
      ),
    );
    const ledger = simulator.ledger.entries('MESSAGE_CREATE');
    expect(ledger.map((entry) => entry.key).sort()).toEqual(sent.map((message) => message.id).sort());
    for (const [shardId, client] of shards.entries()) {
      const received = client
        .dispatches('MESSAGE_CREATE')
        .map((frame) => `${frame.s}:${(frame.d as { id: string }).id}`);
      const recorded = ledger
        .filter((entry) => entry.shardId === shardId)
        .map((entry) => `${entry.sequence}:${entry.key}`);
      expect(received).toEqual(recorded);
    }
  });

  it('generates traffic at the requested rate with the requested mix, the same for the same seed', async () => {
    await start({ guildCount: 50 });
    await identified([0, 1], GUILDS | GUILD_MESSAGES | GUILD_MEMBERS | GUILD_MESSAGE_TYPING);
    const generator = simulator.startTraffic({
      eventsPerSecond: 2_000,
      mix: parseTrafficMix('MESSAGE_CREATE=3,TYPING_START=1'),
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the rate is what is measured
    const report = generator.stop();
    expect(report.achievedPerSecond).toBeGreaterThan(1_600);
    expect(report.achievedPerSecond).toBeLessThan(2_400);
    expect(Object.keys(report.byEvent).sort()).toEqual(['MESSAGE_CREATE', 'TYPING_START']);
    const messageShare = (report.byEvent.MESSAGE_CREATE ?? 0) / report.sent;
    expect(messageShare).toBeGreaterThan(0.65);
    expect(messageShare).toBeLessThan(0.85);
    expect(() => parseTrafficMix('NOT_AN_EVENT=1')).toThrow(/unknown event type/);
    const picks = (seed: number) =>
      new TrafficGenerator(
        simulator.guilds,
        new SeededRandom(seed),
        { eventsPerSecond: 1 },
        { sendTrafficEvent: () => {} },
      )
        .nextPicks(50)
        .map(({ event, guild }) => `${event}@${guild.id}`);
    expect(picks(7)).toEqual(picks(7));
    expect(picks(7)).not.toEqual(picks(8));
  });

  it('injects 429 storms, 5xx answers and slow responses on chosen routes; shared 429s do not count as invalid', async () => {
    await start();
    const api = restClient(simulator, token);
    const channel = simulator.guilds[0]?.channels.find((candidate) => candidate.type === 0)?.id ?? '';
    simulator.faults.addRestFault({
      pathPrefix: '/channels/',
      kind: 'rateLimit',
      scope: 'shared',
      retryAfterSeconds: 2.5,
      count: 2,
    });
    const shared = await api(`/channels/${channel}`);
    expect(shared.status).toBe(429);
    expect(shared.headers.get('x-ratelimit-scope')).toBe('shared');
    expect(shared.headers.get('retry-after')).toBe('3');
    expect(shared.body).toMatchObject({ retry_after: 2.5, global: false });
    await api(`/channels/${channel}`);
    expect((await api(`/channels/${channel}`)).status).toBe(200);
    expect(simulator.stats()).toMatchObject({ invalidRequests: 0, rateLimited: { shared: 2 } });

    simulator.faults.addRestFault({ pathPrefix: '/guilds/', kind: 'serverError', status: 503, count: 1 });
    expect((await api(`/guilds/${simulator.guilds[0]?.id}`)).status).toBe(503);
    simulator.faults.addRestFault({ pathPrefix: '/users/@me', kind: 'slow', delayMs: 300, count: 1 });
    const startedAt = performance.now();
    expect((await api('/users/@me')).status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
  });

  it('locks a client out with a header-less 429 once invalid requests exceed the limit', async () => {
    await start({ invalidRequestLimit: 5 });
    const api = restClient(simulator, token);
    for (let index = 0; index < 5; index += 1)
      expect((await api('/users/@me', { auth: false })).status).toBe(401);
    const banned = await api('/users/@me');
    expect(banned.status).toBe(429);
    expect(banned.headers.get('x-ratelimit-limit')).toBeNull();
    expect(banned.body).toMatchObject({ code: 0, message: expect.stringContaining('temporarily') });
  });
});
