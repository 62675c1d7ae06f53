import { InvalidEnvelopeError } from '@dgc/shared';
import { DiscordAPIError, HTTPError } from '@discordjs/rest';
import { UnrecoverableError } from 'bullmq';

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
