import { defineCommand, type HandlerContext, option, type StateCache } from '@dgc/bot-sdk';
import { DiscordSimulator } from '@dgc/discord-simulator';
import { createLogger, type GatewayEventEnvelope, type Redis } from '@dgc/shared';
import { REST } from '@discordjs/rest';
import {
  type APIApplicationCommandInteractionDataOption,
  ApplicationCommandOptionType,
  InteractionResponseType,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorToken } from './support/services.js';

/**
 * The command API against the simulator's real REST endpoints: validation, permissions and the answer
 * sequence Discord requires (first response, deferral, edit of the original, follow-ups).
 */
describe('slash command API', () => {
  let simulator: DiscordSimulator;
  let rest: REST;

  beforeAll(async () => {
    simulator = await DiscordSimulator.start({
      token: simulatorToken,
      shardCount: 1,
      guildCount: 2,
      seed: 7,
    });
    rest = new REST({ api: simulator.restUrl, version: '10' }).setToken(simulatorToken);
  });

  afterAll(async () => {
    await simulator?.stop();
  });

  function run(
    command: ReturnType<typeof defineCommand>,
    input: {
      options?: APIApplicationCommandInteractionDataOption[];
      memberPermissions?: string;
      guildId?: string;
    } = {},
  ) {
    const interaction = simulator.injectInteraction({ commandName: command.name, ...input });
    const context: HandlerContext = {
      rest,
      // These commands do not touch Redis or the state cache.
      redis: {} as Redis,
      // Nor do they schedule jobs.
      jobs: {} as HandlerContext['jobs'],
      cache: {} as StateCache,
      logger: createLogger({ name: 'test', level: 'silent' }),
      signal: new AbortController().signal,
      envelope: {
        shardId: 0,
        sequence: 1,
        event: 'INTERACTION_CREATE',
        payload: interaction,
        receivedAt: Date.now(),
      } as GatewayEventEnvelope,
    };
    return { interaction, done: command.handle(interaction, context) };
  }

  const callsFor = (interactionId: string, token: string) =>
    simulator.restCalls.filter((call) => call.route.includes(interactionId) || call.path.includes(token));

  it('parses typed options and answers once', async () => {
    const seen: unknown[] = [];
    const remind = defineCommand({
      name: 'remind',
      description: 'Sets a reminder',
      options: {
        minutes: option.integer({ description: 'In how many minutes', required: true, min: 1, max: 1_440 }),
        note: option.string({ description: 'What to remind of', maxLength: 100 }),
      },
      async execute({ options, reply }) {
        const minutes: number = options.minutes;
        const note: string | undefined = options.note;
        seen.push(minutes, note);
        await reply(`In ${minutes} min: ${note ?? 'no note'}`);
      },
    });
    const { interaction, done } = run(remind, {
      options: [{ name: 'minutes', type: ApplicationCommandOptionType.Integer, value: 15 }],
    });
    await done;
    expect(seen).toEqual([15, undefined]);
    const [callback, ...rest] = callsFor(interaction.id, interaction.token);
    expect(rest).toEqual([]);
    expect(callback?.status).toBe(204);
    expect(callback?.requestBody).toMatchObject({
      type: InteractionResponseType.ChannelMessageWithSource,
      data: { content: 'In 15 min: no note' },
    });
    expect(remind.toJSON().options).toEqual([
      expect.objectContaining({ name: 'minutes', required: true, min_value: 1, max_value: 1_440 }),
      expect.objectContaining({ name: 'note', required: false, max_length: 100 }),
    ]);
  });

  it('rejects invalid options with an ephemeral explanation, without running the command', async () => {
    let ran = false;
    const command = defineCommand({
      name: 'purge',
      description: 'Deletes messages',
      options: { count: option.integer({ description: 'How many', required: true, min: 1, max: 100 }) },
      async execute() {
        ran = true;
      },
    });
    const { interaction, done } = run(command, {
      options: [{ name: 'count', type: ApplicationCommandOptionType.Integer, value: 5_000 }],
    });
    await done;
    expect(ran).toBe(false);
    const [callback] = callsFor(interaction.id, interaction.token);
    expect(callback?.requestBody).toMatchObject({
      data: { content: 'Invalid input: option `count` must be at most 100.', flags: MessageFlags.Ephemeral },
    });
  });

  it('resolves user options to the user Discord sent', async () => {
    const guild = simulator.guildsForShard(0, 1)[0];
    const target = guild?.members.find((member) => !member.user.bot)?.user;
    let resolvedName: string | undefined;
    const whois = defineCommand({
      name: 'whois',
      description: 'Names a user',
      options: { user: option.user({ description: 'Who', required: true }) },
      async execute({ options, reply }) {
        resolvedName = options.user.username;
        await reply(options.user.username);
      },
    });
    const { done } = run(whois, {
      guildId: guild?.id,
      options: [{ name: 'user', type: ApplicationCommandOptionType.User, value: target?.id ?? '' }],
    });
    await done;
    expect(resolvedName).toBe(target?.username);
  });

  it('refuses members without the required permission', async () => {
    let ran = false;
    const ban = defineCommand({
      name: 'ban',
      description: 'Bans a member',
      requiredPermissions: PermissionFlagsBits.BanMembers,
      async execute() {
        ran = true;
      },
    });
    const { interaction, done } = run(ban, { memberPermissions: String(PermissionFlagsBits.SendMessages) });
    await done;
    expect(ran).toBe(false);
    const [callback] = callsFor(interaction.id, interaction.token);
    expect(callback?.requestBody).toMatchObject({
      data: {
        content: 'You need the BanMembers permission to use this command.',
        flags: MessageFlags.Ephemeral,
      },
    });
    expect(ban.toJSON().default_member_permissions).toBe(String(PermissionFlagsBits.BanMembers));

    const allowed = run(ban, { memberPermissions: String(PermissionFlagsBits.BanMembers) });
    await allowed.done;
    expect(ran).toBe(true);
  });

  it('defers slow work automatically, then edits the original answer and follows up', async () => {
    let release: () => void = () => {};
    const workDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    const report = defineCommand({
      name: 'report',
      description: 'Builds a slow report',
      autoDeferAfterMs: 20,
      ephemeral: true,
      async execute({ reply }) {
        await workDone;
        await reply('Report ready');
        await reply('Second part');
      },
    });
    const { interaction, done } = run(report);
    await expect.poll(() => callsFor(interaction.id, interaction.token).length, { timeout: 5_000 }).toBe(1);
    release();
    await done;
    const calls = callsFor(interaction.id, interaction.token);
    expect(calls.map((call) => [call.method, call.status])).toEqual([
      ['POST', 204],
      ['PATCH', 200],
      ['POST', 200],
    ]);
    expect(calls[0]?.requestBody).toMatchObject({
      type: InteractionResponseType.DeferredChannelMessageWithSource,
      data: { flags: MessageFlags.Ephemeral },
    });
    expect(calls[1]?.route).toContain('/messages/@original');
    expect(calls[2]?.requestBody).toMatchObject({ content: 'Second part' });
  });
});
