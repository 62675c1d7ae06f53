import { envGroup, loggingEnvShape, variable } from '@dgc/shared';
import { z } from 'zod';

/** `npm run simulator`: environment defaults of its command-line options, and its logging. */
export const simulatorEnvSchema = z.object({
  ...loggingEnvShape,
  ...envGroup('Discord simulator (`npm run simulator`)', {
    DISCORD_SIMULATOR_PORT: variable(
      z.coerce
        .number({ message: 'must be a whole number' })
        .int('must be a whole number')
        .min(0, 'must be 0 or more')
        .max(65_535, 'must be at most 65535')
        .default(8990),
      'Port of the simulator (REST and gateway) when --port is not given; 0 picks a free one.',
    ),
    DISCORD_SIMULATOR_TOKEN: variable(z.string().min(1).optional(), {
      description: 'The bot token the simulator accepts, when --token is not given.',
      secret: true,
      unsetMeans: '--token is required',
    }),
  }),
});

export type SimulatorEnv = z.output<typeof simulatorEnvSchema>;
