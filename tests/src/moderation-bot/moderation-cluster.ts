import { botMigrationSource } from '@dgc/bot-sdk/runtime';
import type { SimulatedGuild, SimulatorOptions } from '@dgc/discord-simulator';
import { type ModerationBotClient, moderationBotDatabase } from '@dgc/moderation-bot/database';
import { openSharedRest, type SharedRest } from '@dgc/rest';
import { createLogger, RedisKeys } from '@dgc/shared';
import { applyMigrations } from '@dgc/shared/db';
import {
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandInteraction,
  ApplicationCommandOptionType,
  PermissionFlagsBits,
  Routes,
} from 'discord-api-types/v10';
import { expect } from 'vitest';
import { restClient } from '../simulator/rest-client.js';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { simulatorToken, startService } from '../support/services.js';

/** The moderation bot's module, as WORKER_BOT_MODULE names it (a path from the repository root). */
export const moderationBotModule = 'examples/moderation-bot/src/bot.ts';

/** What Discord computes for a moderator in the channel: the moderation permissions (no ADMINISTRATOR). */
const moderatorPermissions = String(
  PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.BanMembers |
    PermissionFlagsBits.KickMembers |
    PermissionFlagsBits.ModerateMembers |
    PermissionFlagsBits.ManageMessages |
    PermissionFlagsBits.ManageGuild,
);

/** Limits high enough that a test measures behaviour, not Discord's pacing (the rate-limit test keeps its own). */
const generous = { limit: 1_000, windowMs: 1_000 };

export interface ModerationCluster {
  cluster: TestCluster;
  prisma: ModerationBotClient;
  guild: SimulatedGuild;
  moderatorRoleId: string;
  api: ReturnType<typeof restClient>;
  env: NodeJS.ProcessEnv;
  /** Gives the member the guild's Moderator role over REST and waits until the gateways cached it. */
  giveModeratorRole(userId: string): Promise<void>;
  /** Injects `/name` by `userId` in the guild; options by name (users, channels, attachments by id, strings, integers). */
  run(
    name: string,
    userId: string,
    options?: Record<
      string,
      string | number | { user: string } | { channel: string } | { attachment: string }
    >,
    channelId?: string,
  ): APIChatInputApplicationCommandInteraction;
  /** The interaction's answers so far (first response, then edits and follow-ups), as the simulator received them. */
  answers(
    interaction: APIChatInputApplicationCommandInteraction,
  ): { content: string; flags: number; receivedAt: number; method: string }[];
  /** Waits until an answer matches `pattern`; returns it. */
  answerMatching(
    interaction: APIChatInputApplicationCommandInteraction,
    pattern: RegExp,
    timeoutMs?: number,
  ): Promise<{ content: string; flags: number }>;
  teardown(): Promise<void>;
}

/**
 * A simulator, PostgreSQL with the runtime's and the moderation bot's tables, and a gateway (caching
 * members, which the hierarchy checks read) and a worker running the moderation bot; a scheduler too
 * unless `scheduler: false`.
 */
export async function startModerationCluster(
  label: string,
  options: { scheduler?: boolean; simulator?: Partial<SimulatorOptions>; env?: NodeJS.ProcessEnv } = {},
): Promise<ModerationCluster> {
  const cluster = await createTestCluster(label, {
    shardCount: 1,
    guildCount: 2,
    ...options.simulator,
    routeLimits: {
      member: generous,
      memberRoles: generous,
      dmChannel: generous,
      createMessage: generous,
      ...options.simulator?.routeLimits,
    },
  });
  await applyMigrations(cluster.databaseUrl, botMigrationSource(moderationBotDatabase));
  const env: NodeJS.ProcessEnv = {
    ...cluster.env,
    GATEWAY_SHARD_COUNT: '1',
    WORKER_BOT_MODULE: moderationBotModule,
    CACHE_ENTITIES: 'guilds,channels,roles,members',
    // Members (the hierarchy checks read them), messages and their content (XP, the mod log's deletions).
    GATEWAY_INTENTS: 'Guilds,GuildMembers,GuildModeration,GuildMessages,MessageContent',
    SCHEDULER_PRUNE_EVERY_MS: String(3_600_000),
    ...options.env,
  };
  const starts = [startService('gateway', env), startService('worker', env)];
  if (options.scheduler !== false) starts.push(startService('scheduler', env));
  cluster.processes.push(...(await Promise.all(starts)));
  const prisma = moderationBotDatabase.connect({
    pool: {
      connectionString: cluster.databaseUrl,
      max: 3,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 1_000,
    },
  });
  const guild = cluster.simulator.guilds.reduce((largest, candidate) =>
    candidate.members.length > largest.members.length ? candidate : largest,
  );
  const moderatorRoleId = guild.roles.find((role) => role.name === 'Moderator')?.id ?? '';
  const api = restClient(cluster.simulator, simulatorToken);
  // The test's own changes as a moderator would make them, with the bot's token: through the limits the
  // bot's processes share, as every client of one token must be (a request past them would draw a global
  // 429 the bot's own calls are then blamed for).
  let sharedRest: SharedRest | undefined;
  const botRest = async () => {
    sharedRest ??= await openSharedRest(
      {
        REDIS_URL: cluster.env.REDIS_URL ?? '',
        REDIS_KEY_PREFIX: cluster.keyPrefix,
        DISCORD_API_URL: cluster.simulator.restUrl,
        DISCORD_CDN_URL: cluster.simulator.cdnUrl,
        DISCORD_TOKEN: simulatorToken,
        REST_GLOBAL_PER_SECOND: 50,
        REST_INVALID_REQUEST_BREAKER: 8_000,
        REST_FALLBACK_SHARE: 0.25,
      },
      {
        connectionName: 'test:moderation-setup',
        requestTimeoutMs: 10_000,
        logger: createLogger({ name: 'test', level: 'silent' }),
      },
    );
    return sharedRest.rest;
  };
  const membersKey = new RedisKeys(cluster.keyPrefix).guildCache(guild.id).members;

  const answers: ModerationCluster['answers'] = (interaction) =>
    cluster.simulator.restCalls
      .filter((call) => call.path.includes(interaction.token) && call.status < 300)
      .flatMap((call) => {
        const body = (call.requestBody ?? {}) as {
          data?: { content?: string; flags?: number };
          content?: string;
          flags?: number;
        };
        const data = body.data ?? body;
        return typeof data.content === 'string'
          ? [
              {
                content: data.content,
                flags: data.flags ?? 0,
                receivedAt: call.receivedAt,
                method: call.method,
              },
            ]
          : [];
      });

  return {
    cluster,
    prisma,
    guild,
    moderatorRoleId,
    api,
    env,
    async giveModeratorRole(userId) {
      await (await botRest()).put(Routes.guildMemberRole(guild.id, userId, moderatorRoleId));
      await expect
        .poll(
          async () => {
            const cached = await cluster.probe.redis.hget(membersKey, userId);
            return cached ? (JSON.parse(cached) as { roles: string[] }).roles : [];
          },
          { timeout: 15_000, interval: 100 },
        )
        .toContain(moderatorRoleId);
    },
    run(name, userId, values = {}, channelId = undefined) {
      const commandOptions: APIApplicationCommandInteractionDataOption[] = Object.entries(values).map(
        ([optionName, value]) =>
          typeof value === 'object'
            ? 'user' in value
              ? { name: optionName, type: ApplicationCommandOptionType.User, value: value.user }
              : 'attachment' in value
                ? { name: optionName, type: ApplicationCommandOptionType.Attachment, value: value.attachment }
                : { name: optionName, type: ApplicationCommandOptionType.Channel, value: value.channel }
            : typeof value === 'number'
              ? { name: optionName, type: ApplicationCommandOptionType.Integer, value }
              : { name: optionName, type: ApplicationCommandOptionType.String, value },
      );
      return cluster.simulator.injectInteraction({
        commandName: name,
        guildId: guild.id,
        ...(channelId ? { channelId } : {}),
        userId,
        options: commandOptions,
        memberPermissions: moderatorPermissions,
      });
    },
    answers,
    async answerMatching(interaction, pattern, timeoutMs = 20_000) {
      let found: { content: string; flags: number } | undefined;
      await expect
        .poll(
          () => {
            found = answers(interaction).find((answer) => pattern.test(answer.content));
            return found !== undefined;
          },
          { timeout: timeoutMs, interval: 100 },
        )
        .toBe(true)
        .catch((error: unknown) => {
          const recent = cluster.simulator.restCalls
            .slice(-8)
            .map(
              (call) =>
                `${call.method} ${call.route} ${call.status} ${JSON.stringify(call.requestBody)?.slice(0, 300)} ${call.path.includes(interaction.token)}`,
            );
          throw new Error(
            `no answer matching ${pattern} to /${interaction.data.name}; the simulator's last calls:\n${recent.join('\n')}`,
            { cause: error },
          );
        });
      return found as { content: string; flags: number };
    },
    async teardown() {
      await sharedRest?.close();
      await prisma.$disconnect();
      await cluster.teardown();
    },
  };
}
