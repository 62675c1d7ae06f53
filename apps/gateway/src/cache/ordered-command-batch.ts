import type { PipelineReply, Redis, RedisScriptCommands } from '@dgc/shared';
import { Cluster } from 'ioredis';

/** The connection with the cluster's scripts defined on it (`withRedisScripts`). */
export type ScriptConnection = Redis & RedisScriptCommands;

/**
 * A flush's commands, sent back to back as plain commands of the connection rather than through an ioredis
 * `Pipeline`. On the wire it is the same: every command is written without waiting for the previous
 * reply, in the order added, so commands on one key keep their order; on a single server the writes are
 * corked into one socket write. On a Redis Cluster the client routes each command to the node serving
 * its key, and each node's connection keeps the order too.
 *
 * Why not a `Pipeline`: in the gateway's GUILD_CREATE burst, ioredis's pipeline objects left nearly every
 * one of their commands and replies to V8's old generation (promoted on the young generation's second
 * collection although each pipeline lives for one round trip), which held the whole burst as garbage until
 * a full collection: +77 MiB of RSS at 16,000 guilds. The same commands sent one by one are collected
 * young (bench/README.md, **State cache**).
 */
export class OrderedCommandBatch {
  readonly #redis: ScriptConnection;
  readonly #commands: ((redis: ScriptConnection) => Promise<unknown>)[] = [];

  constructor(redis: ScriptConnection) {
    this.#redis = redis;
  }

  /** Queues exactly one command; it is sent by `exec`. */
  add(send: (redis: ScriptConnection) => Promise<unknown>): this {
    this.#commands.push(send);
    return this;
  }

  get length(): number {
    return this.#commands.length;
  }

  /**
   * Sends every command and resolves with each one's `[error, result]` in the order added; a connection
   * that fails makes every command unanswered by then fail (as a pipeline's would).
   */
  async exec(): Promise<PipelineReply[]> {
    const socket = this.#redis instanceof Cluster ? undefined : this.#redis.stream;
    // One socket write for the whole flush instead of one per command (ioredis writes each as it is called).
    socket?.cork();
    let replies: Promise<PipelineReply>[];
    try {
      replies = this.#commands.map((send) =>
        send(this.#redis).then(
          (result): PipelineReply => [null, result],
          (error: unknown): PipelineReply => [
            error instanceof Error ? error : new Error(String(error)),
            null,
          ],
        ),
      );
    } finally {
      socket?.uncork();
    }
    return Promise.all(replies);
  }
}
