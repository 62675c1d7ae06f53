export type { HandledEvent, MemberActivity, ScheduledJobRun } from '../generated/prisma/client.js';
export { Prisma, PrismaClient } from '../generated/prisma/client.js';
export * from './migration-error.js';
export * from './migrations.js';
export * from './prisma-client.js';
