import { describe, expect, it } from 'vitest';
import { launchService, type ServiceKind } from './support/services.js';

const badEnvironment = {
  REDIS_URL: 'http://127.0.0.1:6379',
  DATABASE_URL: 'mysql://localhost/db',
  LOG_LEVEL: 'chatty',
  DISCORD_TOKEN: 'not a token',
  WORKER_CONCURRENCY: '0',
  GATEWAY_SHARD_COUNT: 'many',
  GATEWAY_SHARD_IDS: '3-1',
  SCHEDULER_PRUNE_EVERY_MS: '-5',
  // The two former names of DEDUPE_RETENTION_MS, disagreeing: nothing says which one the operator meant.
  WORKER_DEDUPE_TTL_MS: '60000',
  HANDLED_EVENT_RETENTION_MS: '120000',
};

const expectedProblems: Record<ServiceKind, string[]> = {
  gateway: ['REDIS_URL', 'LOG_LEVEL', 'DISCORD_TOKEN', 'GATEWAY_SHARD_COUNT', 'GATEWAY_SHARD_IDS'],
  worker: [
    'REDIS_URL',
    'DATABASE_URL',
    'LOG_LEVEL',
    'DISCORD_TOKEN',
    'WORKER_CONCURRENCY',
    'DEDUPE_RETENTION_MS',
  ],
  // The scheduler runs the bot's jobs, which call Discord: it checks the token too.
  scheduler: [
    'REDIS_URL',
    'DATABASE_URL',
    'LOG_LEVEL',
    'DISCORD_TOKEN',
    'SCHEDULER_PRUNE_EVERY_MS',
    'DEDUPE_RETENTION_MS',
  ],
};

describe('bad configuration', () => {
  it.each(Object.keys(expectedProblems) as ServiceKind[])(
    '%s exits non-zero with one message listing every bad variable',
    async (kind) => {
      const service = launchService(kind, badEnvironment);
      const exit = await service.exited;
      expect(exit.code).toBe(78);
      const output = service.lines.join('\n');
      expect(output).toContain(
        `Invalid configuration for ${kind} (${expectedProblems[kind].length} problems)`,
      );
      for (const variable of expectedProblems[kind]) expect(output).toMatch(new RegExp(`- ${variable}: \\S`));
      expect(output).not.toContain('not a token');
    },
  );
});
