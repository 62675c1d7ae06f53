import { GatewayDispatchEvents } from 'discord-api-types/v10';
import type { SlashCommand } from '../commands/define-command.js';
import type { ComponentHandler } from '../commands/define-component.js';
import { InteractionRouter } from '../commands/interaction-router.js';
import { BotJobs } from '../jobs/bot-jobs.js';
import {
  type DelayedJobHandler,
  type DelayedJobOptions,
  delayedJobDefinition,
} from '../jobs/delayed-job-handler.js';
import type { JsonValue } from '../jobs/json-value.js';
import {
  type JobSchedule,
  type PeriodicJobHandler,
  type PeriodicJobOptions,
  periodicJob,
} from '../jobs/periodic-job.js';
import type { Bot } from './bot.js';
import type { EventHandler } from './handler-context.js';

/**
 * The bot's handlers by gateway event name, its slash commands by name and its jobs: what a bot's setup fills in
 * (through the narrower `Bot` interface) and what the worker dispatches events through. The set of event
 * names is what workers advertise to gateways, so an event with no handler never reaches Redis.
 */
export class HandlerRegistry implements Bot {
  readonly #eventHandlers = new Map<string, EventHandler<GatewayDispatchEvents>[]>();
  readonly #router = new InteractionRouter();
  /** Read by the scheduler (periodic jobs, delayed-job handlers) and by `jobs.at` (names it may schedule). */
  readonly jobs = new BotJobs();

  on<Name extends GatewayDispatchEvents>(event: Name, handler: EventHandler<Name>): this {
    const handlers = this.#eventHandlers.get(event) ?? [];
    handlers.push(handler as unknown as EventHandler<GatewayDispatchEvents>);
    this.#eventHandlers.set(event, handlers);
    return this;
  }

  /** Adds a slash command; the first command or component also subscribes the registry to INTERACTION_CREATE. */
  command(command: SlashCommand): this {
    const first = !this.#router.routes;
    this.#router.add(command);
    if (first) this.#routeInteractions();
    return this;
  }

  component(handler: ComponentHandler): this {
    const first = !this.#router.routes;
    this.#router.addComponent(handler);
    if (first) this.#routeInteractions();
    return this;
  }

  #routeInteractions(): void {
    const router = this.#router;
    this.on(GatewayDispatchEvents.InteractionCreate, (interaction, context) =>
      router.route(interaction, context),
    );
  }

  every(
    name: string,
    schedule: JobSchedule,
    handler: PeriodicJobHandler,
    options?: PeriodicJobOptions,
  ): this {
    this.jobs.addPeriodic(periodicJob(name, schedule, handler, options));
    return this;
  }

  job<Payload extends JsonValue = JsonValue>(
    name: string,
    handler: DelayedJobHandler<Payload>,
    options?: DelayedJobOptions,
  ): this {
    this.jobs.addDelayed(delayedJobDefinition(name, handler, options));
    return this;
  }

  handlersFor(event: string): readonly EventHandler<GatewayDispatchEvents>[] {
    return this.#eventHandlers.get(event) ?? [];
  }

  commandNamed(name: string): SlashCommand | undefined {
    return this.#router.commandNamed(name);
  }

  get commands(): readonly SlashCommand[] {
    return this.#router.commands;
  }

  /** Event names some handler wants. */
  subscribedEvents(): string[] {
    return [...this.#eventHandlers.keys()];
  }
}
