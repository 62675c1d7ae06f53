import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from '../redis/redis-connection.js';
import { RedisKeys } from '../redis/redis-keys.js';
import type { TaskMonitor, TaskSnapshot } from './task-monitor.js';

/** What a live process publishes about itself: who it is and what its background tasks are doing. */
export interface ProcessRecord {
  id: string;
  role: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
  tasks: TaskSnapshot[];
}

export interface ProcessRegistryOptions {
  redis: Redis;
  keyPrefix: string;
  role: string;
  tasks: TaskMonitor;
  heartbeatEveryMs?: number;
}

/**
 * Keeps this process's record in one Redis hash (one field per process, not a key per process, so
 * listing never scans the keyspace), refreshed by a heartbeat task. Readers (`readLiveProcesses`) drop
 * records whose heartbeat is too old, so a killed process disappears without anyone cleaning up after it.
 */
export class ProcessRegistry {
  readonly #options: ProcessRegistryOptions;
  readonly #id: string;
  readonly #startedAt = Date.now();

  constructor(options: ProcessRegistryOptions) {
    this.#options = options;
    this.#id = `${options.role}:${hostname()}:${process.pid}:${randomUUID().slice(0, 4)}`;
  }

  get id(): string {
    return this.#id;
  }

  start(): this {
    this.#options.tasks.every(
      'process-heartbeat',
      this.#options.heartbeatEveryMs ?? 5_000,
      () => this.beat(),
      {
        runNow: true,
      },
    );
    return this;
  }

  async beat(): Promise<void> {
    const record: ProcessRecord = {
      id: this.#id,
      role: this.#options.role,
      host: hostname(),
      pid: process.pid,
      startedAt: this.#startedAt,
      heartbeatAt: Date.now(),
      tasks: this.#options.tasks.snapshot(),
    };
    await this.#options.redis.hset(
      new RedisKeys(this.#options.keyPrefix).processes(),
      this.#id,
      JSON.stringify(record),
    );
  }

  /** Removes this process's record (on a clean stop). */
  async remove(): Promise<void> {
    await this.#options.redis.hdel(new RedisKeys(this.#options.keyPrefix).processes(), this.#id);
  }
}
