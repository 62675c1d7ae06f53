import type { GatewayDispatchEvents } from 'discord-api-types/v10';
import type { SlashCommand } from '../commands/define-command.js';
import type { ComponentHandler } from '../commands/define-component.js';
import type { DelayedJobHandler, DelayedJobOptions } from '../jobs/delayed-job-handler.js';
import type { JsonValue } from '../jobs/json-value.js';
import type { JobSchedule, PeriodicJobHandler, PeriodicJobOptions } from '../jobs/periodic-job.js';
import type { EventHandler } from './handler-context.js';

/** What a bot's setup adds its handlers, commands and jobs to; every method chains. */
export interface Bot {
  /** Runs `handler` for every `event` the gateway receives (several handlers of one event run together). */
  on<Name extends GatewayDispatchEvents>(event: Name, handler: EventHandler<Name>): this;
  /** Adds a slash command made with `defineCommand`; a name registered twice throws. */
  command(command: SlashCommand): this;
  /** Handles clicks on the bot's buttons (and menu selections) made with `defineComponent`; a prefix registered twice throws. */
  component(handler: ComponentHandler): this;
  /**
   * Runs `handler` every `schedule` (ms, or a cron pattern) on the scheduler: once per slot however many
   * scheduler replicas run, with a timeout, retries with exponential back-off, and every attempt recorded
   * (`npm run cluster -- jobs`). Never use a bare timer in a handler for periodic work.
   */
  every(name: string, schedule: JobSchedule, handler: PeriodicJobHandler, options?: PeriodicJobOptions): this;
  /** Declares what runs when a job scheduled with `context.jobs.at(when, name, payload)` is due. */
  job<Payload extends JsonValue = JsonValue>(
    name: string,
    handler: DelayedJobHandler<Payload>,
    options?: DelayedJobOptions,
  ): this;
}
