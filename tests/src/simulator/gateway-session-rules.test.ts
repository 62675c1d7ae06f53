import { snowflakeTimestampMs } from '@dgc/discord-simulator';
import { describe, expect, it } from 'vitest';
import { conformanceToken, gatewayTestHarness, isReady } from './gateway-test-harness.js';

const harness = gatewayTestHarness();
const token = conformanceToken;
const { start, connect } = harness;

describe('gateway conformance: sessions (READY, sequencing and routing, RESUME, reconnect, member requests)', () => {
  it("lists only the shard's guilds in READY, all unavailable, then sends one GUILD_CREATE per guild", async () => {
    await start({ guildCount: 30 });
    const client = await connect();
    client.identify(token, { shard: [1, 3] });
    const ready = await client.waitForFrame(isReady);
    const expected = harness.simulator.guildsForShard(1, 3).map((guild) => guild.id);
    const data = ready.d as {
      guilds: { id: string; unavailable: boolean }[];
      session_id: string;
      resume_gateway_url: string;
      shard: number[];
    };
    expect(data.guilds.map((guild) => guild.id).sort()).toEqual([...expected].sort());
    expect(data.guilds.every((guild) => guild.unavailable)).toBe(true);
    expect(data.shard).toEqual([1, 3]);
    expect(data.resume_gateway_url).not.toContain('?');
    expect(data.resume_gateway_url).not.toBe(harness.simulator.gatewayUrl);
    await client.waitForFrame(() => client.dispatches('GUILD_CREATE').length === expected.length);
    const created = client.dispatches('GUILD_CREATE').map((frame) => (frame.d as { id: string }).id);
    expect(created.sort()).toEqual([...expected].sort());
  });

  it('numbers dispatches with increasing sequence numbers and routes guild events by the sharding formula', async () => {
    await start({ guildCount: 20 });
    const shard0 = await connect();
    shard0.identify(token, { shard: [0, 2] });
    await shard0.waitForFrame(isReady);
    const guild = harness.simulator.guildsForShard(0, 2)[0];
    const otherGuild = harness.simulator.guildsForShard(1, 2)[0];
    harness.simulator.injectMessageCreate({ guildId: otherGuild?.id });
    const sent = harness.simulator.injectMessageCreate({ guildId: guild?.id });
    const message = await shard0.waitForFrame((frame) => frame.t === 'MESSAGE_CREATE');
    expect((message.d as { id: string }).id).toBe(sent.id);
    expect(shard0.dispatches('MESSAGE_CREATE')).toHaveLength(1);
    const sequences = shard0.dispatches().map((frame) => frame.s);
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    expect(snowflakeTimestampMs(sent.id)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('replays every missed dispatch in order on RESUME, then sends RESUMED', async () => {
    await start();
    const client = await connect();
    client.identify(token);
    const ready = await client.waitForFrame(isReady);
    const { session_id: sessionId, resume_gateway_url: resumeUrl } = ready.d as {
      session_id: string;
      resume_gateway_url: string;
    };
    harness.simulator.injectMessageCreate();
    const seen = await client.waitForFrame((frame) => frame.t === 'MESSAGE_CREATE');
    harness.simulator.faults.dropConnection(0);
    await client.closed;
    const missed = harness.simulator.injectMessageCreates(3).map((message) => message.id);
    const resumed = await connect('?v=10&encoding=json', resumeUrl);
    resumed.send({ op: 6, d: { token, session_id: sessionId, seq: seen.s } });
    await resumed.waitForFrame((frame) => frame.t === 'RESUMED');
    const replayed = resumed.dispatches('MESSAGE_CREATE');
    expect(replayed.map((frame) => (frame.d as { id: string }).id)).toEqual(missed);
    expect(replayed.map((frame) => frame.s)).toEqual([
      (seen.s ?? 0) + 1,
      (seen.s ?? 0) + 2,
      (seen.s ?? 0) + 3,
    ]);
  });

  it('invalidates the session when the client closes with 1000', async () => {
    await start();
    const client = await connect();
    client.identify(token);
    const ready = await client.waitForFrame(isReady);
    const { session_id: sessionId, resume_gateway_url: resumeUrl } = ready.d as {
      session_id: string;
      resume_gateway_url: string;
    };
    client.close(1000);
    await client.closed;
    const resumed = await connect('?v=10&encoding=json', resumeUrl);
    resumed.send({ op: 6, d: { token, session_id: sessionId, seq: 1 } });
    expect(await resumed.waitForFrame((frame) => frame.op === 9)).toMatchObject({ d: false });
  });

  it('closes with 4007 when RESUME names a sequence the server never sent', async () => {
    await start();
    const client = await connect();
    client.identify(token);
    const ready = await client.waitForFrame(isReady);
    const { session_id: sessionId } = ready.d as { session_id: string };
    client.socket.terminate();
    await client.closed;
    const resumed = await connect();
    resumed.send({ op: 6, d: { token, session_id: sessionId, seq: 10_000 } });
    expect((await resumed.closed).code).toBe(4007);
  });

  it('sends op 7 RECONNECT on demand', async () => {
    await start();
    const client = await connect();
    client.identify(token);
    await client.waitForFrame(isReady);
    harness.simulator.faults.requestReconnect(0);
    expect(await client.waitForFrame((frame) => frame.op === 7)).toEqual({ op: 7, d: null });
  });

  it('answers a request for members with GUILD_MEMBERS_CHUNK echoing the nonce', async () => {
    await start({ guildCount: 4 });
    const client = await connect();
    client.identify(token, { intents: 513 | 2 });
    await client.waitForFrame(isReady);
    const guild = harness.simulator.guildsForShard(0, 1)[0];
    client.send({ op: 8, d: { guild_id: guild?.id, query: '', limit: 0, nonce: 'abc' } });
    const chunk = await client.waitForFrame((frame) => frame.t === 'GUILD_MEMBERS_CHUNK');
    expect(chunk.d).toMatchObject({ guild_id: guild?.id, chunk_index: 0, chunk_count: 1, nonce: 'abc' });
    client.send({ op: 8, d: { guild_id: guild?.id, query: '', limit: 0, nonce: 'again' } });
    const limited = await client.waitForFrame((frame) => frame.t === 'RATE_LIMITED');
    expect(limited.d).toMatchObject({ opcode: 8, meta: { guild_id: guild?.id, nonce: 'again' } });
  });
});
