import { z } from 'zod';
import { databaseEnvShape } from '../config/common-env.js';
import { developmentEnvShape } from '../config/development-env.js';

/**
 * `npm run db:migrate` / `db:new-migration` / `db:check`: the database to migrate, and the server where
 * a shadow database is created (read through `adminDatabaseUrl`).
 */
export const migrationToolEnvSchema = z.object({
  DATABASE_URL: databaseEnvShape.DATABASE_URL,
  TEST_DATABASE_ADMIN_URL: developmentEnvShape.TEST_DATABASE_ADMIN_URL,
});
