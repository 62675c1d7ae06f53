import {
  createRedisConnection,
  EventSubscriptions,
  type Logger,
  type Redis,
  type RedisTarget,
  type SubscriptionsWatch,
} from '@dgc/shared';

/**
 * Which dispatch events are worth a queue write. Either a fixed list from configuration, or the live set
 * of events some worker has a handler for.
 */
export class EventFilter {
  /**
   * Undefined while no worker's events are known: an empty set in Redis means no worker registered yet or
   * Redis lost the set (restarted empty), never "no event wanted", so every event is forwarded until
   * workers register again. Forwarding an unwanted event costs a queue write; dropping a wanted one loses it.
   */
  #wanted: ReadonlySet<string> | undefined;
  #watch: SubscriptionsWatch | undefined;
  #subscriber: Redis | undefined;

  private constructor(initial: ReadonlySet<string> | undefined) {
    this.#wanted = initial;
  }

  static fixed(events: ReadonlySet<string>): EventFilter {
    return new EventFilter(events);
  }

  /** Watches the set workers register, on a subscriber connection of its own (closed by `stop`). */
  static async fromWorkerSubscriptions(
    redisTarget: RedisTarget,
    keyPrefix: string,
    commands: Redis,
    logger: Logger,
  ): Promise<EventFilter> {
    const filter = new EventFilter(undefined);
    const subscriber = createRedisConnection({
      target: redisTarget,
      connectionName: 'gateway:subscriptions',
    });
    filter.#subscriber = subscriber;
    filter.#watch = await new EventSubscriptions(keyPrefix).watch(
      commands,
      subscriber,
      (events) => {
        const known = events.size > 0 ? events : undefined;
        const changed =
          known?.size !== filter.#wanted?.size ||
          [...(known ?? [])].some((event) => !filter.#wanted?.has(event));
        filter.#wanted = known;
        if (!changed) return;
        if (known) logger.info({ events: [...known] }, 'forwarding the events workers handle');
        else
          logger.warn(
            'no worker has registered its events (none started yet, or Redis lost them): forwarding every event until one does',
          );
      },
      (error) =>
        logger.error({ err: error }, 'reloading event subscriptions failed; keeping the previous set'),
    );
    return filter;
  }

  wants(event: string): boolean {
    return this.#wanted === undefined || this.#wanted.has(event);
  }

  /** Reads the workers' set again (periodically: a missed notification must not leave it stale). */
  async reload(): Promise<void> {
    await this.#watch?.reload();
  }

  async stop(): Promise<void> {
    await this.#watch?.stop();
    await this.#subscriber?.quit().catch(() => {});
  }
}
