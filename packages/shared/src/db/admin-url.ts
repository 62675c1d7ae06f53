import { z } from 'zod';
import { developmentEnvShape } from '../config/development-env.js';
import { loadConfig } from '../config/load-config.js';

const adminEnvSchema = z.object({ TEST_DATABASE_ADMIN_URL: developmentEnvShape.TEST_DATABASE_ADMIN_URL });
let adminUrl: string | undefined;

/**
 * A database on the PostgreSQL server where scratch databases are created: per-test databases, and the
 * temporary shadow database Prisma replays migrations into when it computes a diff. Read from
 * $TEST_DATABASE_ADMIN_URL once, on first use: only the development tools need it.
 */
export function adminDatabaseUrl(): string {
  adminUrl ??= loadConfig('database tools', adminEnvSchema).TEST_DATABASE_ADMIN_URL;
  return adminUrl;
}

/** The URL of database `name` on the same server, with the same credentials, as `serverUrl`. */
export function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
