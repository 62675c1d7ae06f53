import { z } from 'zod';
import { envGroup, variable } from './env-docs.js';
import { positiveInt } from './env-fields.js';

/**
 * The bot a deployment runs. Workers run its handlers and commands, schedulers its jobs: both load the
 * same module, so both read this one variable (named when only workers loaded bots).
 */
export const botEnvShape = envGroup('Bot', {
  WORKER_BOT_MODULE: variable(z.string().min(1, 'must be a module path').optional(), {
    description:
      'The bot to run (workers run its handlers and commands, schedulers its jobs): a module whose default export is defineBot((bot) => ...).',
    unsetMeans: 'the built-in example bot (/ping and the member-activity counter)',
  }),
});

/** How handlers and jobs read the shared state cache the gateways keep (workers and schedulers). */
export const stateCacheEnvShape = envGroup('Shared state cache', {
  CACHE_FALLBACK_TTL_MS: variable(
    positiveInt(300_000),
    'An entity a handler or job fetched over REST on a cache miss (ctx.cache) is kept this long (ms); gateways drop it sooner when they see it change.',
  ),
});
