import { describe, expect, it } from 'vitest';
import { defineBot } from './define-bot.js';
import { defineDatabase } from './define-database.js';

describe('defineBot', () => {
  it('hands a bot with tables the client its database creates, and declares the database', async () => {
    const client = { $disconnect: async () => {} };
    const database = defineDatabase({
      schemaName: 'my_bot',
      prismaSchema: new URL('file:///bots/my-bot/prisma/schema.prisma'),
      migrationsDir: '/bots/my-bot/prisma/migrations',
      connect: () => client,
    });
    let received: unknown;
    const bot = defineBot(database, (_bot, db) => {
      received = db;
    });

    expect(bot.database?.prismaSchema).toBe('/bots/my-bot/prisma/schema.prisma');
    await bot(
      {
        on: () => ({}) as never,
        command: () => ({}) as never,
        every: () => ({}) as never,
        job: () => ({}) as never,
        component: () => ({}) as never,
      },
      client,
    );
    expect(received).toBe(client);
  });

  it('refuses the runtime schema or a name PostgreSQL would need quoted', () => {
    for (const schemaName of ['public', 'My-Bot']) {
      expect(() =>
        defineDatabase({
          schemaName,
          prismaSchema: '/s',
          migrationsDir: '/m',
          connect: () => ({ $disconnect: async () => {} }),
        }),
      ).toThrow(TypeError);
    }
  });
});
