// Read by the Prisma CLI. Prisma 7 takes the datasource URL from here rather than from schema.prisma.
// This machine has no native schema engine, so migrations run through src/db (`npm run db:migrate`);
// on a machine with internet, `npx prisma migrate deploy` uses the same files and the same history.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Not `env('DATABASE_URL')`: that throws when unset, and `prisma generate` needs no database.
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/dgc_local' },
});
