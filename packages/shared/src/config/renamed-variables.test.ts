import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonEnvShape } from './common-env.js';
import { ConfigError } from './config-error.js';
import { dedupeEnvShape } from './dedupe-env.js';
import { readConfig } from './load-config.js';
import { resolveRenamedVariables } from './renamed-variables.js';

const dedupeReader = z.object({ ...commonEnvShape, ...dedupeEnvShape });
const otherProcess = z.object(commonEnvShape);

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('DEDUPE_RETENTION_MS and its former names', () => {
  it('defaults to an hour without warnings', () => {
    const { config, warnings } = readConfig('worker', dedupeReader, {});
    expect(config.DEDUPE_RETENTION_MS).toBe(3_600_000);
    expect(warnings).toEqual([]);
  });

  it.each(['WORKER_DEDUPE_TTL_MS', 'HANDLED_EVENT_RETENTION_MS'])(
    'reads former name %s, with one warning naming the new name',
    (former) => {
      const { config, warnings } = readConfig('scheduler', dedupeReader, { [former]: '7200000' });
      expect(config.DEDUPE_RETENTION_MS).toBe(7_200_000);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(former);
      expect(warnings[0]).toContain('DEDUPE_RETENTION_MS');
      expect(warnings[0]).toContain('deprecated');
    },
  );

  it('validates a value given under a former name like one under the new name', () => {
    const error = configErrorOf(() =>
      readConfig('worker', dedupeReader, { HANDLED_EVENT_RETENTION_MS: 'soon' }),
    );
    expect(error.issues).toEqual([{ variable: 'DEDUPE_RETENTION_MS', problem: 'must be a whole number' }]);
  });

  it('accepts the same value under several names, warning for each former one', () => {
    const { config, warnings } = readConfig('worker', dedupeReader, {
      DEDUPE_RETENTION_MS: '60000',
      WORKER_DEDUPE_TTL_MS: '60000',
      HANDLED_EVENT_RETENTION_MS: ' 60000 ',
    });
    expect(config.DEDUPE_RETENTION_MS).toBe(60_000);
    expect(warnings).toHaveLength(2);
  });

  it('counts an empty former name as unset', () => {
    const { config, warnings } = readConfig('worker', dedupeReader, {
      DEDUPE_RETENTION_MS: '60000',
      WORKER_DEDUPE_TTL_MS: '',
    });
    expect(config.DEDUPE_RETENTION_MS).toBe(60_000);
    expect(warnings).toEqual([]);
  });

  it.each([
    [
      { DEDUPE_RETENTION_MS: '60000', WORKER_DEDUPE_TTL_MS: '120000' },
      'DEDUPE_RETENTION_MS and WORKER_DEDUPE_TTL_MS',
    ],
    [
      { WORKER_DEDUPE_TTL_MS: '60000', HANDLED_EVENT_RETENTION_MS: '120000' },
      'WORKER_DEDUPE_TTL_MS and HANDLED_EVENT_RETENTION_MS',
    ],
  ])('different values under several names are a configuration error (%o)', (env, names) => {
    const error = configErrorOf(() => readConfig('worker', dedupeReader, { ...env, LOG_LEVEL: 'loud' }));
    // Listed with every other bad variable, so the operator fixes all of them in one pass.
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(['DEDUPE_RETENTION_MS', 'LOG_LEVEL']);
    expect(error.message).toContain(`DEDUPE_RETENTION_MS: ${names} are set to different values`);
    expect(error.message).toContain('set only DEDUPE_RETENTION_MS');
  });

  it('ignores former names in a process that does not read the variable', () => {
    const { warnings } = readConfig('gateway', otherProcess, {
      WORKER_DEDUPE_TTL_MS: '1',
      HANDLED_EVENT_RETENTION_MS: '2',
    });
    expect(warnings).toEqual([]);
  });

  it('leaves the environment it was given unchanged', () => {
    const env = { WORKER_DEDUPE_TTL_MS: '5' };
    resolveRenamedVariables(env, new Set(['DEDUPE_RETENTION_MS']));
    expect(env).toEqual({ WORKER_DEDUPE_TTL_MS: '5' });
  });
});

describe('retired variables', () => {
  it('refuses a retired variable in a process that reads its replacement, naming what to set instead', () => {
    const readNames = new Set(['SCHEDULER_DELAYED_LEASE_MS']);
    const { issues } = resolveRenamedVariables({ SCHEDULER_DELAYED_LEASE_GRACE_MS: '5000' }, readNames);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.variable).toBe('SCHEDULER_DELAYED_LEASE_GRACE_MS');
    expect(issues[0]?.problem).toContain('SCHEDULER_DELAYED_LEASE_MS');
    // A process that does not read the replacement is not concerned.
    expect(resolveRenamedVariables({ SCHEDULER_DELAYED_LEASE_GRACE_MS: '5000' }, new Set()).issues).toEqual(
      [],
    );
  });
});
