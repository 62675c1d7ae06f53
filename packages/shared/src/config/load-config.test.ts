import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonEnvShape, databaseEnvShape, discordEnvShape } from './common-env.js';
import { ConfigError } from './config-error.js';
import { positiveInt } from './env-fields.js';
import { loadConfig } from './load-config.js';

const schema = z.object({
  ...commonEnvShape,
  ...databaseEnvShape,
  ...discordEnvShape,
  CONCURRENCY: positiveInt(5),
});
const validToken = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789';

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = loadConfig('test', schema, { DISCORD_TOKEN: validToken, CONCURRENCY: '12' });
    expect(config.CONCURRENCY).toBe(12);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig('test', schema, {
      DISCORD_TOKEN: validToken,
      REDIS_URL: '  ',
      CONCURRENCY: '',
    });
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.CONCURRENCY).toBe(5);
  });

  it('reports every bad variable at once, each with its reason', () => {
    let caught: unknown;
    try {
      loadConfig('worker', schema, {
        REDIS_URL: 'http://not-redis',
        DATABASE_URL: 'nonsense',
        LOG_LEVEL: 'loud',
        CONCURRENCY: '-3',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(
      ['CONCURRENCY', 'DATABASE_URL', 'DISCORD_TOKEN', 'LOG_LEVEL', 'REDIS_URL'].sort(),
    );
    expect(error.message).toContain('Invalid configuration for worker (5 problems)');
    expect(error.message).toContain('REDIS_URL: must be a URL starting with redis:// or rediss://');
    expect(error.message).toContain('CONCURRENCY: must be greater than 0');
    expect(error.message).toContain('DISCORD_TOKEN: is required');
  });

  it('never echoes a malformed token back', () => {
    const secretLooking = 'not-a-token-but-still-secret-value';
    expect(() => loadConfig('gateway', schema, { DISCORD_TOKEN: secretLooking })).toThrow(ConfigError);
    try {
      loadConfig('gateway', schema, { DISCORD_TOKEN: secretLooking });
    } catch (error) {
      expect((error as Error).message).not.toContain(secretLooking);
    }
  });
});
