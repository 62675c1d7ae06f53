import { InvalidEnvelopeError } from '@dgc/shared';
import { DiscordAPIError, HTTPError } from '@discordjs/rest';
import { UnrecoverableError } from 'bullmq';
import { InvalidPayloadError } from './payload-shapes.js';

/** A handler ran past its job timeout; the job is failed and retried with back-off. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
}

/**
 * Decides whether a handler failure is worth retrying. Bad input and Discord 4xx answers (other than 429,
 * which the REST client already waits out) fail the same way every time, so they go straight to the
 * failed set as `UnrecoverableError` with the original as `cause`; everything else (timeouts, network,
 * 5xx, database hiccups) is retried with back-off.
 */
export function classifyHandlerError(error: unknown): Error {
  if (error instanceof UnrecoverableError) return error;
  if (error instanceof InvalidEnvelopeError) return unrecoverable('invalid event envelope', error);
  if (error instanceof InvalidPayloadError) return unrecoverable('invalid event payload', error);
  if (error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429) {
    return unrecoverable(`Discord rejected the request (${error.status}, code ${error.code})`, error);
  }
  if (error instanceof HTTPError && error.status >= 400 && error.status < 500 && error.status !== 429) {
    return unrecoverable(`Discord rejected the request (${error.status})`, error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function unrecoverable(message: string, cause: Error): UnrecoverableError {
  const error = new UnrecoverableError(`${message}: ${cause.message}`);
  (error as Error).cause = cause;
  return error;
}

/**
 * Prisma error codes that mean the server could not be reached or dropped the connection: P1001 can't
 * reach, P1002 timed out reaching, P1017 server closed the connection, P2024 no pooled connection came free
 * in time. Codes about the query itself (constraints, timeouts of a statement, P2010's own SQL errors) are
 * not here: they fail the same way with PostgreSQL up.
 */
const prismaUnreachableCodes = new Set(['P1001', 'P1002', 'P1017', 'P2024']);

/** What the `pg` driver adapter reports for a socket it could not open or lost (see its `convertDriverError`). */
const driverUnreachableKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);

/**
 * SQLSTATEs of a server going away: class 08 (connection exception), 57P01 admin shutdown (`pg_ctl stop -m
 * fast`), 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting down). Not 57014 (a
 * statement cancelled by its timeout): that is a slow query, and PostgreSQL is up.
 */
const unreachableSqlStates = /^(08[0-9A-Z]{3}|57P0[123])$/;

/** Errors the `pg` driver throws as plain `Error`s (no code) when the server or the socket disappears. */
const pgConnectionLostMessages = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];

/**
 * Whether a handler failed because PostgreSQL is unreachable, not because of its query: the dependency
 * breaker then stops intake instead of spending the job's attempts. Looks through causes and aggregated
 * failures (several handlers of one event). Plain socket errors (ECONNREFUSED…) are not enough on their
 * own: Discord's REST calls fail the same way, so only errors that came through Prisma or `pg` count.
 */
export function isPostgresUnreachable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (
    error instanceof AggregateError &&
    error.errors.some((inner) => isPostgresUnreachable(inner, depth + 1))
  )
    return true;
  const { code, meta } = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: unknown } } };
  if (error.name.startsWith('PrismaClient')) {
    if (typeof code === 'string' && prismaUnreachableCodes.has(code)) return true;
    const cause = meta?.driverAdapterError?.cause as { kind?: unknown; code?: unknown } | undefined;
    if (typeof cause?.kind === 'string' && driverUnreachableKinds.has(cause.kind)) return true;
    if (cause?.kind === 'postgres' && typeof cause.code === 'string' && unreachableSqlStates.test(cause.code))
      return true;
  }
  // pg's DatabaseError carries the SQLSTATE and a severity (FATAL for a terminated session).
  if ('severity' in error && typeof code === 'string' && unreachableSqlStates.test(code)) return true;
  if (pgConnectionLostMessages.includes(error.message)) return true;
  return isPostgresUnreachable(error.cause, depth + 1);
}
