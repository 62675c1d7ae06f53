import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export interface PrismaClientSettings {
  databaseUrl: string;
  /** Upper bound of pooled connections for this process. */
  maxConnections?: number;
  /**
   * PostgreSQL cancels any statement running longer than this (`statement_timeout`). Prisma takes no
   * AbortSignal, so this is what bounds a database call to a job's deadline on the server side.
   */
  statementTimeoutMs?: number;
  /** Waiting for a row or table lock fails after this (`lock_timeout`); the job is retried with back-off. */
  lockTimeoutMs?: number;
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
    ...(settings.statementTimeoutMs ? { statement_timeout: settings.statementTimeoutMs } : {}),
    ...(settings.lockTimeoutMs ? { lock_timeout: settings.lockTimeoutMs } : {}),
  });
  return new PrismaClient({ adapter });
}
