import { defineDatabase } from '@dgc/bot-sdk';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export type { MemberXp, ModCase, Reminder } from './generated/prisma/client.js';
export { PrismaClient as ModerationBotClient };

/**
 * The moderation bot's tables: schema `prisma/schema.prisma`, migrations `prisma/migrations`, both in
 * PostgreSQL schema `moderation_bot`. The worker and the scheduler each create one client per process.
 */
export const moderationBotDatabase = defineDatabase({
  schemaName: 'moderation_bot',
  prismaSchema: new URL('../prisma/schema.prisma', import.meta.url),
  migrationsDir: new URL('../prisma/migrations', import.meta.url),
  connect: ({ pool }) => new PrismaClient({ adapter: new PrismaPg(pool) }),
});
