import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { passwordsInUrls } from './secret-scrubber.js';

const botToken = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';
const interactionToken = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpzZWNyZXQ';

function captureLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'trace', secrets: [botToken], destination }) };
}

describe('createLogger', () => {
  it('never writes the bot token, interaction tokens or Authorization headers', () => {
    const { lines, logger } = captureLogger();
    logger.info({ token: botToken }, 'top-level token field');
    logger.info({ config: { DISCORD_TOKEN: botToken } }, 'config dump');
    logger.info({ headers: { authorization: `Bot ${botToken}` } }, 'request headers');
    logger.info({ request: { headers: { authorization: `Bot ${botToken}` } } }, 'nested request');
    logger.info({ envelope: { payload: { id: '1', token: interactionToken } } }, 'queued interaction');
    logger.info({ interaction: { token: interactionToken } }, 'interaction');
    logger.error(
      { err: new Error(`POST /api/v10/interactions/123456789012345678/${interactionToken}/callback failed`) },
      'request failed',
    );
    logger.warn(
      `webhook https://discord.com/api/webhooks/123456789012345678/${interactionToken}/messages/@original`,
    );
    logger.warn(`library said: Authorization: Bot ${botToken}`);
    logger.warn(`token inline ${botToken} in a message`);

    const output = lines.join('');
    expect(lines).toHaveLength(10);
    expect(output).not.toContain(botToken);
    expect(output).not.toContain(interactionToken);
    expect(output).toContain('[REDACTED]');
  });

  it('never writes the passwords of Redis and PostgreSQL URLs, wherever they appear', () => {
    const { lines, logger } = captureLogger();
    const passwords = ['s3cret-redis-pw', 'pg-pass-9f2c', 'sentinel-pw', 'short'];
    logger.info({ url: 'redis://default:s3cret-redis-pw@10.0.0.5:6379/0' }, 'connecting');
    logger.info({ config: { DATABASE_URL: 'postgresql://dgc:pg-pass-9f2c@db.internal:5432/dgc' } }, 'config');
    logger.error({ err: new Error('connect to rediss://:sentinel-pw@redis.internal:6380 failed') }, 'oops');
    logger.warn('retrying postgres://app:short@127.0.0.1/dgc?sslmode=disable and redis://:short@[::1]:6379');
    const output = lines.join('');
    for (const password of passwords) expect(output).not.toContain(password);
    // Hosts and users stay: an operator still sees where the process connects.
    expect(output).toContain('redis://default:[REDACTED]@10.0.0.5:6379/0');
    expect(output).toContain('postgresql://dgc:[REDACTED]@db.internal:5432/dgc');
    expect(output).toContain('rediss://:[REDACTED]@redis.internal:6380');
  });

  it('never writes an interaction token quoted inside a string, bare or as JSON', () => {
    const { lines, logger } = captureLogger();
    logger.warn(`handler gave up on ${interactionToken}`);
    logger.error(
      { err: new Error(`bad job data ${JSON.stringify({ id: '1', token: 'opaque-token-value-123' })}`) },
      'job failed',
    );
    const output = lines.join('');
    expect(output).not.toContain(interactionToken);
    expect(output).not.toContain('opaque-token-value-123');
  });

  it('finds the passwords of configured URLs, to scrub them literally too', () => {
    expect(
      passwordsInUrls([
        'redis://:p%40ss-word@127.0.0.1:6379',
        'postgresql://dgc:pg-pass@db/dgc',
        'redis://127.0.0.1:6379',
        'not a url',
        42,
      ]),
    ).toEqual(['p%40ss-word', 'p@ss-word', 'pg-pass']);
  });

  it('keeps ordinary fields intact', () => {
    const { lines, logger } = captureLogger();
    logger.info({ shardId: 3, event: 'MESSAGE_CREATE' }, 'hello');
    const record = JSON.parse(lines[0] ?? '{}');
    expect(record).toMatchObject({ name: 'test', shardId: 3, event: 'MESSAGE_CREATE', msg: 'hello' });
  });
});
