/** A backing service (Redis, PostgreSQL) cannot be reached; the message names the URL and how to start it. */
export class ServiceUnreachableError extends Error {
  override readonly name = 'ServiceUnreachableError';
  readonly service: string;
  readonly url: string;

  constructor(service: string, url: string, howToStart: string, options?: ErrorOptions) {
    const detail = options?.cause instanceof Error ? ` (${options.cause.message})` : '';
    super(`${service} is not reachable at ${url}${detail}.\nStart it with: ${howToStart}`, options);
    this.service = service;
    this.url = url;
  }
}

/** Hides the password of a connection URL before it is shown to anyone. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
