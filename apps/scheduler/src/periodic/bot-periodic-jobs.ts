import type { JobContext, PeriodicJob } from '@dgc/bot-sdk/runtime';
import type { ScheduledJob } from './scheduled-job.js';

/** What a bot's job gets besides its own signal, logger and attempt: the scheduler's shared clients. */
export type BotJobServices = Pick<JobContext, 'rest' | 'redis' | 'jobs' | 'gateway' | 'cache'>;

/** A bot's `bot.every` declaration as a scheduled job of this scheduler. */
export function botPeriodicJob(job: PeriodicJob, services: BotJobServices): ScheduledJob {
  return {
    name: job.name,
    timing: typeof job.schedule === 'number' ? { everyMs: job.schedule } : { pattern: job.schedule },
    timeoutMs: job.timeoutMs,
    attempts: job.attempts,
    backoffMs: job.backoffMs,
    async run({ logger, signal, attempt, slot }) {
      await job.handler({ ...services, logger, signal, attempt, slot });
      return undefined;
    },
  };
}
