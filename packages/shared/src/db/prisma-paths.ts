import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Resolved from this file rather than the working directory, so the CLI, the launcher and tests run
// from anywhere. (src/db and dist/db are both two levels below the package.)
const prismaDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../prisma');

/** The committed Prisma schema: the single source of truth for the database's shape. */
export const schemaPath = join(prismaDir, 'schema.prisma');
/** The committed migrations, in Prisma's `<timestamp>_<name>/migration.sql` layout. */
export const migrationsDir = join(prismaDir, 'migrations');
