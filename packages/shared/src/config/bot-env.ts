import { z } from 'zod';
import { envGroup, variable } from './env-docs.js';

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
