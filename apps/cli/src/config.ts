import { databaseEnvShape, redisEnvShape } from '@dgc/shared';
import { z } from 'zod';

/** `npm run cluster`: the operator CLI reads the cluster's state from its Redis, and `jobs` the run history from PostgreSQL. */
export const cliEnvSchema = z.object({ ...redisEnvShape, DATABASE_URL: databaseEnvShape.DATABASE_URL });
