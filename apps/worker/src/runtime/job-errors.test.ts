import { InvalidEnvelopeError } from '@dgc/shared';
import { DiscordAPIError, HTTPError } from '@discordjs/rest';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { classifyHandlerError, HandlerTimeoutError, isPostgresUnreachable } from './job-errors.js';

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

/** Builds an error shaped as Prisma reports it (a name, a code, the driver adapter's cause in `meta`). */
function prismaError(code: string, driverCause?: Record<string, unknown>): Error {
  const error = new Error('Invalid `prisma.$executeRaw()` invocation');
  error.name = 'PrismaClientKnownRequestError';
  return Object.assign(error, {
    code,
    meta: driverCause ? { driverAdapterError: { name: 'DriverAdapterError', cause: driverCause } } : {},
  });
}

describe('isPostgresUnreachable', () => {
  it.each([
    ['server down (pooled)', prismaError('P2010', { kind: 'DatabaseNotReachable', host: '127.0.0.1' })],
    ['server down (model query)', prismaError('P1001')],
    ['no pooled connection in time', prismaError('P2024')],
    ['socket reset', prismaError('P2010', { kind: 'ConnectionClosed' })],
    ['pg_ctl stop -m fast', prismaError('P2010', { kind: 'postgres', code: '57P01', severity: 'FATAL' })],
    ['server starting up', prismaError('P2010', { kind: 'postgres', code: '57P03', severity: 'FATAL' })],
    ['connection exception', prismaError('P2010', { kind: 'postgres', code: '08006', severity: 'FATAL' })],
    ['pg: socket closed', new Error('Connection terminated unexpectedly')],
    ['pg: connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg DatabaseError', Object.assign(new Error('terminating'), { code: '57P01', severity: 'FATAL' })],
    ['as a cause', new Error('handler failed', { cause: prismaError('P1001') })],
    ['among several handlers', new AggregateError([new Error('x'), prismaError('P1017')], '2 failed')],
  ])('an outage: %s', (_label, error) => {
    expect(isPostgresUnreachable(error)).toBe(true);
  });

  it.each([
    ['a statement timeout', prismaError('P2010', { kind: 'postgres', code: '57014', severity: 'ERROR' })],
    ['a missing table', prismaError('P2010', { kind: 'TableDoesNotExist', table: 'x' })],
    ['a unique violation', prismaError('P2002')],
    ['too many connections', prismaError('P2010', { kind: 'TooManyConnections' })],
    ['Discord unreachable', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a handler bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a timeout', new HandlerTimeoutError('slow')],
    ['not an error', 'P1001'],
  ])('not an outage: %s', (_label, error) => {
    expect(isPostgresUnreachable(error)).toBe(false);
  });
});
