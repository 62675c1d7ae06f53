import { InvalidEnvelopeError } from '@dgc/shared';
import { DiscordAPIError, HTTPError } from '@discordjs/rest';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { classifyHandlerError, HandlerTimeoutError } from './job-errors.js';

function discordError(status: number, code: number): DiscordAPIError {
  return new DiscordAPIError({ code, message: 'nope' }, code, status, 'POST', 'https://discord.test/api', {
    body: undefined,
    files: undefined,
  });
}

describe('classifyHandlerError', () => {
  it.each([
    ['an invalid envelope', new InvalidEnvelopeError('bad')],
    ['a Discord 400', discordError(400, 50035)],
    ['a Discord 403', discordError(403, 50013)],
    ['a Discord 404 for an expired interaction', discordError(404, 10062)],
  ])('fails fast on %s, keeping the cause', (_label, error) => {
    const classified = classifyHandlerError(error);
    expect(classified).toBeInstanceOf(UnrecoverableError);
    expect(classified.cause).toBe(error);
  });

  it.each([
    ['a timeout', new HandlerTimeoutError('slow')],
    [
      'a Discord 500',
      new HTTPError(500, 'Internal Server Error', 'GET', 'https://discord.test/api', {
        body: undefined,
        files: undefined,
      }),
    ],
    ['a network error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
  ])('retries %s', (_label, error) => {
    const classified = classifyHandlerError(error);
    expect(classified).not.toBeInstanceOf(UnrecoverableError);
    expect(classified).toBe(error);
  });
});
