import { type GatewayEventEnvelope, type Logger, parseEnvelope, type Redis } from '@dgc/shared';
import type { PrismaClient } from '@dgc/shared/db';
import type { REST } from '@discordjs/rest';
import type { Job } from 'bullmq';
import { dedupeKeyFor, type EventDedupe } from '../dedupe/event-dedupe.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import { classifyHandlerError } from './job-errors.js';
import { runWithTimeout } from './run-with-timeout.js';

export interface JobProcessorDependencies {
  /** Claims events with a unique id before their handlers run; absent = handlers must be idempotent. */
  dedupe?: EventDedupe;
  registry: HandlerRegistry;
  rest: REST;
  prisma: PrismaClient;
  redis: Redis;
  logger: Logger;
  jobTimeoutMs: number;
}

/** Turns a queued gateway event into handler calls, under the job timeout. */
export function createJobProcessor(dependencies: JobProcessorDependencies) {
  const { registry, rest, prisma, redis, logger, jobTimeoutMs, dedupe } = dependencies;
  return async (
    job: Job<GatewayEventEnvelope>,
    _token?: string,
    workerSignal?: AbortSignal,
  ): Promise<void> => {
    try {
      const envelope = parseEnvelope(job.data);
      const handlers = registry.handlersFor(envelope.event);
      if (handlers.length === 0) return;
      const jobLogger = logger.child({ jobId: job.id, event: envelope.event, shardId: envelope.shardId });
      const runHandlers = () =>
        runWithTimeout(jobTimeoutMs, workerSignal, async (signal) => {
          const context = { rest, prisma, redis, logger: jobLogger, signal, envelope };
          // Handlers of one event are independent: run them together, report every failure.
          const results = await Promise.allSettled(
            handlers.map((handler) => handler(envelope.payload, context)),
          );
          const failures = results.filter((result) => result.status === 'rejected');
          if (failures.length === 1) throw failures[0]?.reason;
          if (failures.length > 1) {
            throw new AggregateError(
              failures.map((failure) => failure.reason),
              `${failures.length} handlers failed`,
            );
          }
        });
      const dedupeKey = dedupe ? dedupeKeyFor(envelope) : undefined;
      const claim = dedupeKey && dedupe ? await dedupe.claim(dedupeKey) : undefined;
      if (claim && !claim.run) {
        jobLogger.debug({ dedupeKey }, 'event already handled; redelivery skipped');
        return;
      }
      try {
        await runHandlers();
      } catch (error) {
        if (claim?.run) await claim.settle('release');
        throw error;
      }
      if (claim?.run) await claim.settle('done');
    } catch (error) {
      throw classifyHandlerError(error);
    }
  };
}
