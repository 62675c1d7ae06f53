// Read by the Prisma CLI (`prisma generate`, and `prisma migrate deploy` on a machine with the native
// engine). Offline, `npm run db:migrate` at the root applies these migrations after the runtime's.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Not `env('DATABASE_URL')`: that throws when unset, and `prisma generate` needs no database.
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/dgc_local' },
});
