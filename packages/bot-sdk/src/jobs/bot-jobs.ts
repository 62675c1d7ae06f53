import { DuplicateRegistrationError } from '../commands/interaction-router.js';
import type { DelayedJobDefinition } from './delayed-job-handler.js';
import type { PeriodicJob } from './periodic-job.js';

/**
 * The bot's declared jobs: periodic ones (`bot.every`), which the scheduler registers, and the handlers of
 * delayed ones (`bot.job`), which `jobs.at` names. One name space for both, so the run history is unambiguous.
 */
export class BotJobs {
  readonly #periodic = new Map<string, PeriodicJob>();
  readonly #delayed = new Map<string, DelayedJobDefinition>();

  addPeriodic(job: PeriodicJob): void {
    this.#refuseTaken(job.name);
    this.#periodic.set(job.name, job);
  }

  addDelayed(definition: DelayedJobDefinition): void {
    this.#refuseTaken(definition.name);
    this.#delayed.set(definition.name, definition);
  }

  get periodic(): readonly PeriodicJob[] {
    return [...this.#periodic.values()];
  }

  delayedNamed(name: string): DelayedJobDefinition | undefined {
    return this.#delayed.get(name);
  }

  get delayedNames(): readonly string[] {
    return [...this.#delayed.keys()];
  }

  #refuseTaken(name: string): void {
    if (this.#periodic.has(name) || this.#delayed.has(name)) {
      throw new DuplicateRegistrationError(`job "${name}" is declared twice`);
    }
  }
}
