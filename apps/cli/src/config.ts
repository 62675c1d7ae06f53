import { redisEnvShape } from '@dgc/shared';
import { z } from 'zod';

/** `npm run cluster`: the operator CLI reads the cluster's state from its Redis, nothing else. */
export const cliEnvSchema = z.object(redisEnvShape);
