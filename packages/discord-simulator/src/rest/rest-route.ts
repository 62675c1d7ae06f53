import type { IncomingMessage } from 'node:http';
import type { BucketPolicy } from './rate-limits.js';

/** A Discord-shaped error: the status and the JSON body Discord would send. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: { code: number; message: string; errors?: unknown },
  ) {
    super(body.message);
  }
}

/** `{ field: { _errors: [...] } }` as Discord nests form errors (code 50035). */
export function invalidFormBody(field: string, code: string, message: string): RestError {
  // An error about the body as a whole sits at the top: `{ _errors: [...] }`.
  if (field === '') {
    return new RestError(400, {
      code: 50035,
      message: 'Invalid Form Body',
      errors: { _errors: [{ code, message }] },
    });
  }
  const errors: Record<string, unknown> = {};
  let cursor = errors;
  const parts = field.split('.');
  parts.forEach((part, index) => {
    const next: Record<string, unknown> = index === parts.length - 1 ? { _errors: [{ code, message }] } : {};
    cursor[part] = next;
    cursor = next;
  });
  return new RestError(400, { code: 50035, message: 'Invalid Form Body', errors });
}

export interface RouteContext {
  request: IncomingMessage;
  body: unknown;
  params: string[];
  query: URLSearchParams;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface RouteDefinition {
  method: string;
  pattern: RegExp;
  /** Path template with tokens masked, for the ledger. */
  route: (params: string[]) => string;
  bucket?: BucketPolicy;
  majorParameter?: (params: string[]) => string;
  /** Interaction routes need no bot token and are exempt from the global limit. */
  interactionRoute?: boolean;
  handle(context: RouteContext): RouteResult;
}

export function asRecord(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}
