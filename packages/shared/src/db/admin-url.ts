/**
 * A database on the PostgreSQL server where scratch databases are created: per-test databases, and the
 * temporary shadow database Prisma replays migrations into when it computes a diff.
 */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}

/** The URL of database `name` on the same server, with the same credentials, as `serverUrl`. */
export function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
