import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export interface PrismaClientSettings {
  databaseUrl: string;
  /** Upper bound of pooled connections for this process. */
  maxConnections?: number;
}

/**
 * One Prisma client per process, on the `pg` driver adapter (no native query engine needed). The pool is
 * bounded so that N worker processes × pool size stays within PostgreSQL's `max_connections`.
 */
export function createPrismaClient(settings: PrismaClientSettings): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: settings.databaseUrl,
    max: settings.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}
