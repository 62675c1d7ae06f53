import { z } from 'zod';
import { envGroup, variable } from './env-docs.js';
import { urlWithProtocols } from './env-fields.js';

/**
 * Variables of the development tools (test harness, bench, migration tooling), not of the cluster's
 * processes. They live with the other schemas so that they are documented like every other variable.
 */
export const developmentEnvShape = envGroup('Development tools (tests, bench, migrations)', {
  TEST_DATABASE_ADMIN_URL: variable(
    urlWithProtocols(['postgres:', 'postgresql:'], 'postgresql://postgres@127.0.0.1:5432/postgres'),
    'Any existing database on the PostgreSQL server where tests create their scratch databases and db:new-migration / db:check replay migrations into a shadow database.',
  ),
  DGC_CPU_PROFILE_DIR: variable(z.string().min(1).optional(), {
    description:
      'Every app process the test harness or a bench scenario starts writes a .cpuprofile into this directory when it exits.',
    unsetMeans: 'no profiles',
  }),
  DGC_NODE_FLAGS: variable(
    z
      .string()
      .optional()
      .transform((value) => value?.split(' ').filter(Boolean) ?? []),
    {
      description:
        'Space-separated Node flags for every app process the test harness or a bench scenario starts, including those NODE_OPTIONS refuses (--trace-gc-nvp, --heapsnapshot-signal=SIGUSR2).',
      unsetMeans: 'none',
    },
  ),
});

export const developmentEnvSchema = z.object(developmentEnvShape);
export type DevelopmentEnv = z.output<typeof developmentEnvSchema>;
