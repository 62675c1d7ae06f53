import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { conformanceToken, gatewayTestHarness, isReady } from './gateway-test-harness.js';
import { type GatewayFrame, inflateZlibStream } from './raw-gateway-client.js';

const harness = gatewayTestHarness();
const token = conformanceToken;
const { start, connect } = harness;

describe('gateway conformance: connection rules (heartbeats, close codes, send and identify limits, compression)', () => {
  it('sends HELLO with the heartbeat interval, then ACKs every heartbeat', async () => {
    await start({ heartbeatIntervalMs: 41_250 });
    const client = await connect();
    const hello = await client.waitForFrame((frame) => frame.op === 10);
    expect(hello).toEqual({ op: 10, d: { heartbeat_interval: 41_250 } });
    client.send({ op: 1, d: null });
    await client.waitForFrame((frame) => frame.op === 11);
  });

  it('asks for an immediate heartbeat with op 1 on request', async () => {
    await start();
    const client = await connect();
    client.identify(token, { shard: [0, 1] });
    await client.waitForFrame(isReady);
    harness.simulator.faults.requestHeartbeat(0);
    expect(await client.waitForFrame((frame) => frame.op === 1)).toMatchObject({ op: 1 });
  });

  it('closes a connection that stops heartbeating, keeping the session resumable', async () => {
    await start({ heartbeatIntervalMs: 100 });
    const client = await connect();
    client.identify(token);
    await client.waitForFrame(isReady);
    expect((await client.closed).code).toBe(4000);
    expect(harness.simulator.sessions()[0]?.state).toBe('resumable');
  });

  it('closes with 4003 on a payload other than a heartbeat before IDENTIFY', async () => {
    await start();
    const client = await connect();
    client.send({ op: 3, d: { since: null, activities: [], status: 'online', afk: false } });
    expect((await client.closed).code).toBe(4003);
  });

  it('closes with 4001 on an unknown opcode', async () => {
    await start();
    const client = await connect();
    client.send({ op: 99, d: null });
    expect((await client.closed).code).toBe(4001);
  });

  it('closes with 4002 on a payload over 4096 bytes and on undecodable data', async () => {
    await start();
    const oversize = await connect();
    oversize.send({ op: 1, d: 'x'.repeat(5_000) });
    expect((await oversize.closed).code).toBe(4002);
    const garbage = await connect();
    garbage.send('{not json');
    expect((await garbage.closed).code).toBe(4002);
  });

  it('closes with 4004 on a wrong token', async () => {
    await start();
    const client = await connect();
    client.identify('wrong.token.value');
    expect((await client.closed).code).toBe(4004);
  });

  it('closes with 4012 on an invalid API version', async () => {
    await start();
    const client = await connect('?v=3&encoding=json');
    expect((await client.closed).code).toBe(4012);
  });

  it('closes with 4013 on undefined intent bits and 4014 on privileged intents not enabled', async () => {
    await start({ privilegedIntents: 0 });
    const undefinedBits = await connect();
    undefinedBits.identify(token, { intents: 1 << 30 });
    expect((await undefinedBits.closed).code).toBe(4013);
    const privileged = await connect();
    privileged.identify(token, { intents: 1 << 1 });
    expect((await privileged.closed).code).toBe(4014);
  });

  it('closes with 4010 on an invalid shard', async () => {
    await start();
    const client = await connect();
    client.identify(token, { shard: [2, 2] });
    expect((await client.closed).code).toBe(4010);
  });

  it('closes with 4005 on a second IDENTIFY', async () => {
    await start();
    const client = await connect();
    client.identify(token);
    await client.waitForFrame(isReady);
    client.identify(token);
    expect((await client.closed).code).toBe(4005);
  });

  it('closes with 4008 past 120 payloads in 60 s', async () => {
    await start();
    const client = await connect();
    for (let index = 0; index < 121; index += 1) client.send({ op: 1, d: null });
    expect((await client.closed).code).toBe(4008);
  });

  it('refuses a second IDENTIFY in the same rate-limit bucket within 5 s with op 9 d:false', async () => {
    await start({ maxConcurrency: 2 });
    const first = await connect();
    first.identify(token, { shard: [0, 4] });
    await first.waitForFrame(isReady);
    const otherBucket = await connect();
    otherBucket.identify(token, { shard: [1, 4] });
    await otherBucket.waitForFrame(isReady);
    const sameBucket = await connect();
    sameBucket.identify(token, { shard: [2, 4] });
    expect(await sameBucket.waitForFrame((frame) => frame.op === 9)).toMatchObject({ op: 9, d: false });
    expect(harness.simulator.stats().identifyConcurrencyViolations).toBe(1);
  });

  it('counts session starts down; an IDENTIFY past the budget ends every session and resets the token', async () => {
    await start({ sessionStartLimit: { total: 1000, remaining: 1 }, identifyWindowMs: 0 });
    const first = await connect();
    first.identify(token);
    await first.waitForFrame(isReady);
    expect(harness.simulator.stats().sessionStartRemaining).toBe(0);
    const second = await connect();
    second.identify(token);
    expect((await second.closed).code).toBe(4004);
    expect((await first.closed).code).toBe(4004);
    expect(harness.simulator.stats().identifiesRefusedForBudget).toBe(1);
    const rest = await fetch(`${harness.simulator.restUrl}/v10/gateway/bot`, {
      headers: { authorization: `Bot ${token}` },
    });
    expect(rest.status).toBe(401);
  });

  it('compresses every message on one zlib-stream context, each ending with 00 00 ff ff', async () => {
    await start();
    const client = await connect('?v=10&encoding=json&compress=zlib-stream');
    client.identify(token);
    await new Promise<void>((resolve) => {
      const check = () => (client.rawMessages.length >= 3 ? resolve() : setTimeout(check, 5));
      check();
    });
    for (const message of client.rawMessages) {
      expect([...message.subarray(-4)]).toEqual([0x00, 0x00, 0xff, 0xff]);
    }
    const frames = inflateZlibStream(client.rawMessages);
    expect(frames[0]).toMatchObject({ op: 10 });
    expect(frames.some((frame) => frame.t === 'READY')).toBe(true);
  });

  it('zlib-compresses large payloads one by one when IDENTIFY asks for payload compression', async () => {
    await start({ guildCount: 3 });
    const client = await connect();
    client.identify(token, { compress: true });
    await new Promise<void>((resolve) => {
      const check = () =>
        client.rawMessages.some((message) => message[0] === 0x78) ? resolve() : setTimeout(check, 5);
      check();
    });
    const compressed = client.rawMessages.filter((message) => message[0] === 0x78);
    const frames = compressed.map(
      (message) => JSON.parse(inflateSync(message).toString('utf8')) as GatewayFrame,
    );
    expect(frames.every((frame) => frame.op === 0)).toBe(true);
    expect(frames.some((frame) => frame.t === 'GUILD_CREATE')).toBe(true);
  });
});
