import { defineDatabase } from '@dgc/bot-sdk';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export type { MemberActivity } from './generated/prisma/client.js';
export { PrismaClient as StarterBotClient };

/**
 * The starter bot's tables: schema `prisma/schema.prisma`, migrations `prisma/migrations`, both in
 * PostgreSQL schema `starter_bot`. The worker creates one client per process from it.
 */
export const starterBotDatabase = defineDatabase({
  schemaName: 'starter_bot',
  prismaSchema: new URL('../prisma/schema.prisma', import.meta.url),
  migrationsDir: new URL('../prisma/migrations', import.meta.url),
  connect: ({ pool }) => new PrismaClient({ adapter: new PrismaPg(pool) }),
});
