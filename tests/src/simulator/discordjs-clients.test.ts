import { DiscordSimulator } from '@dgc/discord-simulator';
import { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayDispatchEvents, GatewayIntentBits, Routes } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';

const token = 'c2ltdWxhdG9yLXRlc3Q.discordjs.test-token-for-the-simulator-djs';
let simulator: DiscordSimulator;
let manager: WebSocketManager | undefined;

afterEach(async () => {
  await manager?.destroy();
  manager = undefined;
  await simulator?.stop();
});

function createManager(
  compression: CompressionMethod | null,
  shardCount = 2,
  useIdentifyCompression = false,
) {
  const rest = new REST({ api: simulator.restUrl, version: '10' }).setToken(token);
  return new WebSocketManager({
    token,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages,
    rest,
    shardCount,
    compression,
    useIdentifyCompression,
  });
}

function nextDispatch(target: WebSocketManager, event: string, shardId?: number) {
  return new Promise<{ d: unknown; shardId: number }>((resolve) => {
    const listener = (payload: { t: string; d: unknown }, id: number) => {
      if (payload.t !== event || (shardId !== undefined && id !== shardId)) return;
      target.off(WebSocketShardEvents.Dispatch, listener);
      resolve({ d: payload.d, shardId: id });
    };
    target.on(WebSocketShardEvents.Dispatch, listener);
  });
}

describe('unmodified discord.js clients against the simulator', () => {
  it.each([
    ['uncompressed', null],
    ['zlib-stream', CompressionMethod.ZlibNative],
  ] as const)(
    '@discordjs/ws connects two shards (%s), gets every GUILD_CREATE and an injected message',
    async (_label, compression) => {
      simulator = await DiscordSimulator.start({ token, shardCount: 2, guildCount: 10, identifyWindowMs: 0 });
      manager = createManager(compression);
      const guildCreates: string[] = [];
      manager.on(WebSocketShardEvents.Dispatch, (payload) => {
        if (payload.t === GatewayDispatchEvents.GuildCreate) guildCreates.push(payload.d.id);
      });
      const ready = new Promise<void>((resolve) => {
        let count = 0;
        manager?.on(WebSocketShardEvents.Ready, () => {
          count += 1;
          if (count === 2) resolve();
        });
      });
      await manager.connect();
      await ready;
      await expect.poll(() => guildCreates.length).toBe(10);
      const message = nextDispatch(manager, GatewayDispatchEvents.MessageCreate);
      const sent = simulator.injectMessageCreate();
      expect(((await message).d as { id: string }).id).toBe(sent.id);
    },
  );

  it('@discordjs/ws sends its first heartbeat after interval × jitter, within one interval of HELLO', async () => {
    simulator = await DiscordSimulator.start({
      token,
      shardCount: 2,
      guildCount: 4,
      heartbeatIntervalMs: 1_000,
      maxConcurrency: 2,
    });
    manager = createManager(null, 2);
    await manager.connect();
    await expect.poll(() => simulator.stats().firstHeartbeatFractions.length, { timeout: 5_000 }).toBe(2);
    for (const fraction of simulator.stats().firstHeartbeatFractions) {
      expect(fraction).toBeGreaterThanOrEqual(0);
      expect(fraction).toBeLessThan(1.1);
    }
  });

  it('@discordjs/ws works with payload (identify) compression', async () => {
    simulator = await DiscordSimulator.start({ token, shardCount: 1, guildCount: 4 });
    manager = createManager(null, 1, true);
    const guildCreates: string[] = [];
    manager.on(WebSocketShardEvents.Dispatch, (payload) => {
      if (payload.t === GatewayDispatchEvents.GuildCreate) guildCreates.push(payload.d.id);
    });
    await manager.connect();
    await expect.poll(() => guildCreates.length).toBe(4);
  });

  it('@discordjs/ws resumes after a dropped connection and receives what it missed', async () => {
    simulator = await DiscordSimulator.start({ token, shardCount: 1, guildCount: 3 });
    manager = createManager(CompressionMethod.ZlibNative, 1);
    const resumed = new Promise<void>((resolve) =>
      manager?.on(WebSocketShardEvents.Resumed, () => resolve()),
    );
    const ready = new Promise<void>((resolve) => manager?.on(WebSocketShardEvents.Ready, () => resolve()));
    await manager.connect();
    await ready;
    simulator.faults.dropConnection(0);
    const missed = simulator.injectMessageCreate();
    const received = nextDispatch(manager, GatewayDispatchEvents.MessageCreate);
    await resumed;
    expect(((await received).d as { id: string }).id).toBe(missed.id);
    expect(simulator.stats()).toMatchObject({ identifies: 1, resumes: 1 });
  });

  it('@discordjs/ws resumes after op 7 and identifies again after op 9 d:false', async () => {
    simulator = await DiscordSimulator.start({ token, shardCount: 1, guildCount: 3, identifyWindowMs: 0 });
    manager = createManager(null, 1);
    let readyCount = 0;
    let resolveReady: () => void = () => {};
    manager.on(WebSocketShardEvents.Ready, () => {
      readyCount += 1;
      resolveReady();
    });
    const firstReady = new Promise<void>((resolve) => {
      resolveReady = resolve;
    });
    await manager.connect();
    await firstReady;
    const resumed = new Promise<void>((resolve) =>
      manager?.on(WebSocketShardEvents.Resumed, () => resolve()),
    );
    simulator.faults.requestReconnect(0);
    await resumed;
    const secondReady = new Promise<void>((resolve) => {
      resolveReady = resolve;
    });
    simulator.faults.invalidateSession(0, false);
    await secondReady;
    expect(readyCount).toBe(2);
    expect(simulator.stats().identifies).toBe(2);
  });

  it('@discordjs/rest posts an interaction callback and a channel message unmodified', async () => {
    simulator = await DiscordSimulator.start({ token, guildCount: 2 });
    const rest = new REST({ api: simulator.restUrl, version: '10' }).setToken(token);
    const interaction = simulator.injectInteraction({ commandName: 'ping' });
    await rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
      auth: false,
      body: { type: 4, data: { content: 'pong' } },
    });
    expect((await simulator.waitForInteractionResponse(interaction.id)).status).toBe(204);
    const channel = simulator.guilds[0]?.channels.find((candidate) => candidate.type === 0);
    const message = (await rest.post(Routes.channelMessages(channel?.id ?? ''), {
      body: { content: 'hi' },
    })) as { content: string };
    expect(message.content).toBe('hi');
  });

  it('@discordjs/rest waits on learned buckets instead of drawing 429s', async () => {
    simulator = await DiscordSimulator.start({ token, guildCount: 2 });
    const rest = new REST({ api: simulator.restUrl, version: '10' }).setToken(token);
    const channel = simulator.guilds[0]?.channels.find((candidate) => candidate.type === 0);
    await Promise.all(
      Array.from({ length: 7 }, (_, index) =>
        rest.post(Routes.channelMessages(channel?.id ?? ''), { body: { content: `m${index}` } }),
      ),
    );
    expect(simulator.stats().rateLimited.user).toBeLessThanOrEqual(1);
    expect(simulator.restCalls.filter((call) => call.status === 200)).toHaveLength(7);
  }, 20_000);
});
