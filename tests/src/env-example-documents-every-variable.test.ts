import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dashboardEnvShape } from '@dgc/dashboard';
import { gatewayEnvSchema } from '@dgc/gateway';
import { schedulerEnvSchema } from '@dgc/scheduler';
import { workerEnvSchema } from '@dgc/worker';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './support/services.js';

describe('.env.example', () => {
  it('documents every variable a process reads', () => {
    const documented = new Set(
      readFileSync(resolve(repositoryRoot, '.env.example'), 'utf8')
        .split('\n')
        .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
        .filter((name) => name !== undefined),
    );
    const read = new Set([
      ...Object.keys(gatewayEnvSchema.shape),
      ...Object.keys(workerEnvSchema.shape),
      ...Object.keys(schedulerEnvSchema.shape),
      ...Object.keys(dashboardEnvShape),
    ]);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });
});
