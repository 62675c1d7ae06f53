import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { registerCommands } from '@dgc/bot-sdk/runtime';
import { createTestDatabase, pollUntil } from '@dgc/dev-tools/testing';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { applyMigrations } from '@dgc/shared/db';
import { REST } from '@discordjs/rest';
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawGatewayClient } from './simulator/raw-gateway-client.js';
import { EventsQueueProbe } from './support/queue-inspection.js';
import {
  redisUrl,
  repositoryRoot,
  simulatorToken,
  startService,
  stopServices,
  uniqueKeyPrefix,
} from './support/services.js';

const run = promisify(execFile);

/**
 * Slash command registration against the simulator: a second run sends nothing, a changed option sends one
 * bulk overwrite, and the simulator's users then run the registered commands. Also Discord's validation.
 */
describe('command registration', () => {
  let simulator: DiscordSimulator;
  let rest: REST;

  beforeAll(async () => {
    simulator = await DiscordSimulator.start({
      token: simulatorToken,
      shardCount: 1,
      guildCount: 2,
      seed: 11,
      // Raw requests below do not wait for the bucket as @discordjs/rest does.
      routeLimits: { applicationCommands: { limit: 50, windowMs: 1_000 } },
    });
    rest = new REST({ api: simulator.restUrl, version: '10' }).setToken(simulatorToken);
  });

  afterAll(async () => {
    await simulator?.stop();
  });

  const callsTo = (method: string, fragment: string) =>
    simulator.restCalls.filter((call) => call.method === method && call.path.includes(fragment)).length;

  function register(guildId: string | undefined, maxLength: number) {
    return run(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'apps/worker/src/commands-main.ts',
        'register',
        ...(guildId ? ['--guild', guildId] : []),
      ],
      {
        cwd: repositoryRoot,
        timeout: 60_000,
        env: {
          ...process.env,
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: uniqueKeyPrefix('commands'),
          DISCORD_TOKEN: simulatorToken,
          DISCORD_API_URL: simulator.restUrl,
          WORKER_BOT_MODULE: `${repositoryRoot}/tests/src/fixtures/commands-bot.ts`,
          FIXTURE_REASON_MAX_LENGTH: String(maxLength),
          LOG_LEVEL: 'warn',
        },
      },
    );
  }

  it('registers once, sends nothing when unchanged, one overwrite for a changed option', async () => {
    const guildId = simulator.guilds[0]?.id ?? '';
    const first = await register(guildId, 512);
    expect(first.stdout).toContain('+ /warn');
    expect(first.stdout).toContain('+ /status');
    expect(first.stdout).toContain('sent one bulk overwrite');
    expect(
      simulator
        .registeredCommands(guildId)
        .commands.map((command) => command.name)
        .sort(),
    ).toEqual(['status', 'warn']);
    const puts = callsTo('PUT', `/guilds/${guildId}/commands`);
    expect(puts).toBe(1);

    // Discord filled in defaults (ids, versions, localisations, nsfw…): the same set still compares equal.
    const second = await register(guildId, 512);
    expect(second.stdout).toContain('no change (2 commands already registered)');
    expect(second.stdout).toContain('nothing sent');
    expect(callsTo('PUT', `/guilds/${guildId}/commands`)).toBe(puts);

    const before = simulator.registeredCommands(guildId).commands.find((command) => command.name === 'warn');
    const third = await register(guildId, 300);
    expect(third.stdout).toContain('~ /warn');
    expect(third.stdout).not.toContain('/status\n');
    expect(callsTo('PUT', `/guilds/${guildId}/commands`)).toBe(puts + 1);
    const after = simulator.registeredCommands(guildId).commands.find((command) => command.name === 'warn');
    expect(after?.id).toBe(before?.id);
    expect(after?.version).not.toBe(before?.version);
    // Global commands were never touched.
    expect(simulator.registeredCommands().commands).toEqual([]);

    // Users run what was registered: the interaction names the registered command's id, and generated
    // traffic runs the commands without required options (/status, not /warn).
    const interaction = simulator.injectInteraction({ commandName: 'warn', guildId });
    expect(interaction.data.id).toBe(after?.id);
    const client = await RawGatewayClient.connect(`${simulator.gatewayUrl}?v=10&encoding=json`);
    try {
      client.identify(simulatorToken);
      await client.waitForFrame((frame) => frame.t === 'READY');
      const traffic = simulator.startTraffic({ eventsPerSecond: 200, mix: { INTERACTION_CREATE: 1 } });
      const received = await pollUntil('20 generated interactions', 10_000, () => {
        const frames = client.dispatches('INTERACTION_CREATE');
        return frames.length >= 20
          ? frames.map((frame) => frame.d as { guild_id: string; data: { id: string; name: string } })
          : undefined;
      });
      traffic.stop();
      // In the guild with registered commands users run /status (with its id), /ping where none are.
      for (const interaction of received) {
        if (interaction.guild_id === guildId) {
          const status = simulator
            .registeredCommands(guildId)
            .commands.find((command) => command.name === 'status');
          expect(interaction.data).toMatchObject({ name: 'status', id: status?.id });
        } else expect(interaction.data.name).toBe('ping');
      }
      expect(received.some((interaction) => interaction.guild_id === guildId)).toBe(true);
    } finally {
      client.socket.terminate();
    }
    // A ceiling for a loaded machine: the three CLI runs take ~3 s each when it is quiet.
  }, 150_000);

  it('registers at worker start with REGISTER_COMMANDS=true, before taking events', {
    timeout: 60_000,
  }, async () => {
    const guildId = simulator.guilds[1]?.id ?? '';
    const database = await createTestDatabase('command-registration', { schema: { apply: applyMigrations } });
    const keyPrefix = uniqueKeyPrefix('commands-worker');
    const worker = await startService('worker', {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '2',
      DISCORD_TOKEN: simulatorToken,
      DISCORD_API_URL: simulator.restUrl,
      WORKER_BOT_MODULE: `${repositoryRoot}/tests/src/fixtures/commands-bot.ts`,
      REGISTER_COMMANDS: 'true',
      REGISTER_COMMANDS_GUILD_ID: guildId,
    });
    let exits: Record<string, number | null> = {};
    try {
      // Ready means consuming: registration happened before.
      expect(
        simulator
          .registeredCommands(guildId)
          .commands.map((command) => command.name)
          .sort(),
      ).toEqual(['status', 'warn']);
    } finally {
      exits = await stopServices([worker]);
      await new EventsQueueProbe(keyPrefix).removeAndClose();
      await database.drop();
    }
    expect(exits).toEqual({ worker: 0 });
  });

  it('compares the SDK form with what Discord returns, defaults and all', async () => {
    const applicationId = simulator.applicationId;
    const commands: RESTPostAPIChatInputApplicationCommandsJSONBody[] = [
      { name: 'ping', description: 'Pong', options: [{ type: 3, name: 'text', description: 'Echo' }] },
    ];
    const first = await registerCommands({ rest, applicationId, commands });
    expect(first).toMatchObject({ overwritten: true, difference: { added: ['ping'] } });
    const second = await registerCommands({ rest, applicationId, commands });
    expect(second).toMatchObject({ overwritten: false, difference: { unchanged: ['ping'] } });
    const removed = await registerCommands({ rest, applicationId, commands: [] });
    expect(removed).toMatchObject({ overwritten: true, difference: { removed: ['ping'] } });
  });

  it("answers Discord's validation errors (50035) for bad names, descriptions and too many options", async () => {
    const url = `${simulator.restUrl}/v10/applications/${simulator.applicationId}/commands`;
    const put = async (body: unknown) => {
      const response = await fetch(url, {
        method: 'PUT',
        headers: { authorization: `Bot ${simulatorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const badName = await put([{ name: 'Bad Name', description: 'x' }]);
    expect(badName).toMatchObject({
      status: 400,
      body: {
        code: 50035,
        errors: { 0: { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME' }] } } },
      },
    });
    const longDescription = await put([{ name: 'ok', description: 'x'.repeat(101) }]);
    expect(longDescription.body).toMatchObject({
      code: 50035,
      errors: { 0: { description: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } },
    });
    const options = Array.from({ length: 26 }, (_, index) => ({
      type: 3,
      name: `o${index}`,
      description: 'x',
    }));
    const tooMany = await put([{ name: 'ok', description: 'x', options }]);
    expect(tooMany.body).toMatchObject({
      code: 50035,
      errors: { 0: { options: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } },
    });
    const duplicate = await put([
      { name: 'ok', description: 'x' },
      { name: 'ok', description: 'y' },
    ]);
    expect(duplicate.body).toMatchObject({ code: 50035, errors: { 1: { name: expect.anything() } } });
    expect(simulator.registeredCommands().commands).toEqual([]);
  });
});
