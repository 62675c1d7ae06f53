import { DiscordSimulator, type SimulatorOptions } from '@dgc/discord-simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayFrame, RawGatewayClient } from './raw-gateway-client.js';

const token = 'c2ltdWxhdG9yLXRlc3Q.sessions.test-token-for-the-simulator';
let simulator: DiscordSimulator;
const clients: RawGatewayClient[] = [];
const isReady = (frame: GatewayFrame) => frame.t === 'READY';

async function start(options: Partial<SimulatorOptions> = {}) {
  simulator = await DiscordSimulator.start({
    token,
    guildCount: 8,
    seed: 21,
    identifyWindowMs: 0,
    ...options,
  });
}

async function connect(url = simulator.gatewayUrl) {
  const client = await RawGatewayClient.connect(`${url}?v=10&encoding=json`);
  clients.push(client);
  return client;
}

async function identified(extra: Record<string, unknown> = {}) {
  const client = await connect();
  client.identify(token, extra);
  const ready = await client.waitForFrame(isReady);
  return { client, ready: ready.d as { session_id: string; resume_gateway_url: string } };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await simulator?.stop();
});

describe('gateway sessions and routing', () => {
  it('sends events without a guild (DMs) to shard 0 only', async () => {
    await start();
    const { client: shard0 } = await identified({ shard: [0, 2], intents: 1 << 12 });
    const { client: shard1 } = await identified({ shard: [1, 2], intents: 1 << 12 });
    simulator.injectDispatch('MESSAGE_CREATE', {
      id: '1',
      channel_id: '2',
      author: { id: '3' },
      content: 'dm',
    });
    await shard0.waitForFrame((frame) => frame.t === 'MESSAGE_CREATE');
    shard1.send({ op: 1, d: null });
    await shard1.waitForFrame((frame) => frame.op === 11);
    expect(shard1.dispatches('MESSAGE_CREATE')).toHaveLength(0);
  });

  it('closes with 4011 when one session would hold more than 2,500 guilds', async () => {
    await start({ guildCount: 2_501 });
    const client = await connect();
    client.identify(token, { shard: [0, 1] });
    expect((await client.closed).code).toBe(4011);
  });

  it('refuses a large_threshold outside 50–250', async () => {
    await start();
    const client = await connect();
    client.identify(token, { large_threshold: 10 });
    expect((await client.closed).code).toBe(4002);
  });

  it('accepts presence updates and silently drops those past 5 per 20 s', async () => {
    await start();
    const { client } = await identified();
    for (let index = 0; index < 7; index += 1) {
      client.send({
        op: 3,
        d: { since: null, activities: [{ name: 'x', type: 0 }], status: 'online', afk: false },
      });
    }
    client.send({ op: 1, d: null });
    await client.waitForFrame((frame) => frame.op === 11);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it('delivers GUILD_MEMBER_REMOVE to sessions with GUILD_MEMBERS', async () => {
    await start({ guildCount: 1 });
    const { client } = await identified({ intents: 1 | 2 });
    const removed = simulator.injectGuildMemberRemove();
    const frame = await client.waitForFrame((candidate) => candidate.t === 'GUILD_MEMBER_REMOVE');
    expect(frame.d).toEqual(removed);
  });

  it('lets a RESUME take a session over from a connection that never noticed it died', async () => {
    await start();
    const { client: zombie, ready } = await identified();
    const resumed = await connect(ready.resume_gateway_url);
    resumed.send({ op: 6, d: { token, session_id: ready.session_id, seq: 1 } });
    await resumed.waitForFrame((frame) => frame.t === 'RESUMED');
    expect((await zombie.closed).code).toBe(4000);
    const sent = simulator.injectMessageCreate();
    const frame = await resumed.waitForFrame((candidate) => candidate.t === 'MESSAGE_CREATE');
    expect((frame.d as { id: string }).id).toBe(sent.id);
    expect(simulator.sessions()).toHaveLength(1);
  });

  it('ends the session when the server closes with 4009, so RESUME gets op 9 d:false', async () => {
    await start();
    const { client, ready } = await identified();
    simulator.faults.dropConnection(0, { code: 4009 });
    expect((await client.closed).code).toBe(4009);
    const again = await connect(ready.resume_gateway_url);
    again.send({ op: 6, d: { token, session_id: ready.session_id, seq: 1 } });
    expect(await again.waitForFrame((frame) => frame.op === 9)).toMatchObject({ d: false });
  });

  it('withholds heartbeat ACKs on command so clients can detect a zombie connection', async () => {
    await start();
    const { client } = await identified();
    simulator.faults.withholdHeartbeatAcks(0, true);
    client.send({ op: 1, d: null });
    // The server answers payloads in order: once this chunk arrives, the heartbeat above was handled.
    const guild = simulator.guildsForShard(0, 1)[0];
    client.send({ op: 8, d: { guild_id: guild?.id, user_ids: [], nonce: 'sync' } });
    await client.waitForFrame((frame) => frame.t === 'GUILD_MEMBERS_CHUNK');
    expect(client.frames.filter((frame) => frame.op === 11)).toHaveLength(0);
    simulator.faults.withholdHeartbeatAcks(0, false);
    client.send({ op: 1, d: null });
    await client.waitForFrame((frame) => frame.op === 11);
    expect(client.frames.filter((frame) => frame.op === 11)).toHaveLength(1);
  });

  it('sends op 9 d:true on command, keeping the session resumable', async () => {
    await start();
    const { client, ready } = await identified();
    simulator.faults.invalidateSession(0, true);
    expect(await client.waitForFrame((frame) => frame.op === 9)).toMatchObject({ d: true });
    client.socket.terminate();
    await client.closed;
    const again = await connect(ready.resume_gateway_url);
    again.send({ op: 6, d: { token, session_id: ready.session_id, seq: 1 } });
    await again.waitForFrame((frame) => frame.t === 'RESUMED');
  });
});

describe('resharding in the simulator', () => {
  it('recommends the shard count set over the control API, and routes each session by its own count', async () => {
    await start({ shardCount: 2 });
    const base = simulator.restUrl.replace(/\/api$/, '');
    const botInfo = async () =>
      (await (
        await fetch(`${simulator.restUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${token}` } })
      ).json()) as { shards: number };
    expect((await botInfo()).shards).toBe(2);
    const set = await fetch(`${base}/_simulator/gateway/shard-count`, {
      method: 'PUT',
      body: JSON.stringify({ shards: 4 }),
    });
    expect(set.status).toBe(200);
    expect((await botInfo()).shards).toBe(4);
    const refused = await fetch(`${base}/_simulator/gateway/shard-count`, {
      method: 'PUT',
      body: JSON.stringify({ shards: 0 }),
    });
    expect(refused.status).toBe(400);

    // An old set of 2 and a new set of 4 at once, as during a reshard: each gets every guild's events once.
    const intents = (1 << 0) | (1 << 9);
    const sets = [2, 4].map(async (count) =>
      Promise.all(
        Array.from({ length: count }, async (_, shardId) => ({
          shardId,
          count,
          ...(await identified({ shard: [shardId, count], intents })),
        })),
      ),
    );
    const shards = (await Promise.all(sets)).flat();
    for (const guild of simulator.guilds) simulator.injectMessageCreates(1, { guildId: guild.id });
    for (const { client, shardId, count } of shards) {
      const expected = simulator.guilds.filter(
        (guild) => Number(BigInt(guild.id) >> 22n) % count === shardId,
      );
      await expect.poll(() => client.dispatches('MESSAGE_CREATE').length).toBe(expected.length);
      const guildIds = client
        .dispatches('MESSAGE_CREATE')
        .map((frame) => (frame.d as { guild_id: string }).guild_id);
      expect(guildIds.sort()).toEqual(expected.map((guild) => guild.id).sort());
    }
  });
});
