import { describe, expect, it } from 'vitest';
import { DuplicateRegistrationError } from '../commands/interaction-router.js';
import { HandlerRegistry } from '../events/handler-registry.js';

describe('bot.every and bot.job', () => {
  it('declare periodic jobs with defaults and delayed-job handlers by name', () => {
    const registry = new HandlerRegistry()
      .every('sweep', 60_000, async () => {})
      .every('nightly', '0 3 * * *', async () => {}, { timeoutMs: 5_000, attempts: 5, backoffMs: 200 })
      .job('unban', async () => {});
    expect(
      registry.jobs.periodic.map(({ name, schedule, timeoutMs, attempts, backoffMs }) => ({
        name,
        schedule,
        timeoutMs,
        attempts,
        backoffMs,
      })),
    ).toEqual([
      { name: 'sweep', schedule: 60_000, timeoutMs: 60_000, attempts: 3, backoffMs: 1_000 },
      { name: 'nightly', schedule: '0 3 * * *', timeoutMs: 5_000, attempts: 5, backoffMs: 200 },
    ]);
    expect(registry.jobs.delayedNames).toEqual(['unban']);
    // Jobs subscribe to no gateway event.
    expect(registry.subscribedEvents()).toEqual([]);
  });

  it('refuses a name used twice, a bad name, interval or cron pattern', () => {
    const registry = new HandlerRegistry().every('sweep', 1_000, async () => {});
    expect(() => registry.job('sweep', async () => {})).toThrow(DuplicateRegistrationError);
    expect(() => registry.every('has space', 1_000, async () => {})).toThrow(TypeError);
    expect(() => registry.every('fast', 10, async () => {})).toThrow(TypeError);
    expect(() => registry.every('cron', 'every day', async () => {})).toThrow(TypeError);
    expect(() => registry.every('retries', 1_000, async () => {}, { attempts: 0 })).toThrow(TypeError);
  });
});
