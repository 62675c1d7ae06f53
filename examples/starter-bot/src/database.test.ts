import { createTestDatabase, type TestDatabase } from '@dgc/dev-tools/testing';
import { applyMigrations } from '@dgc/shared/db';
import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StarterBotClient, starterBotDatabase } from './database.js';
import { MemberActivityStore } from './member-activity.js';

describe('the starter bot database', () => {
  let database: TestDatabase;
  let prisma: StarterBotClient;

  beforeAll(async () => {
    database = await createTestDatabase('starter_bot', {
      schema: {
        // The runtime's tables, then the bot's own.
        async apply(url) {
          await applyMigrations(url);
          await applyMigrations(url, {
            schemaFile: starterBotDatabase.prismaSchema,
            migrationsDir: starterBotDatabase.migrationsDir,
            historySchema: starterBotDatabase.schemaName,
          });
        },
      },
    });
    prisma = starterBotDatabase.connect({
      pool: {
        connectionString: database.url,
        max: 2,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 1_000,
      },
    });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('upserts and reads member activity keyed by snowflakes beyond 2^53', async () => {
    const key = { guildId: 1_181_384_788_765_712_384n, userId: 80_351_110_224_678_913n };
    const recordMessage = (at: Date) =>
      prisma.memberActivity.upsert({
        where: { guildId_userId: key },
        create: { ...key, messageCount: 1, lastMessageAt: at },
        update: { messageCount: { increment: 1 }, lastMessageAt: at },
      });
    await recordMessage(new Date('2026-01-01T00:00:00Z'));
    await recordMessage(new Date('2026-01-02T00:00:00Z'));

    expect(await prisma.memberActivity.findMany({ where: key })).toEqual([
      { ...key, messageCount: 2, lastMessageAt: new Date('2026-01-02T00:00:00Z') },
    ]);
  });

  it('counts a redelivered message once, claiming its key in the runtime table handled_event', async () => {
    const store = new MemberActivityStore(prisma);
    const message = {
      id: '1300000000000000001',
      guild_id: '1300000000000000002',
      author: { id: '1300000000000000003' },
      timestamp: '2026-02-01T00:00:00.000Z',
    } as unknown as APIMessage & { guild_id: string };
    await store.recordMessage(message);
    await store.recordMessage(message);

    expect(await store.activityOf(message.guild_id, message.author.id)).toMatchObject({ messageCount: 1 });
    expect(
      await prisma.$queryRaw`SELECT key FROM public.handled_event WHERE key = ${`message-create:${message.id}`}`,
    ).toHaveLength(1);
  });
});
