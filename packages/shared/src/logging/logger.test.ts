import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

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

  it('keeps ordinary fields intact', () => {
    const { lines, logger } = captureLogger();
    logger.info({ shardId: 3, event: 'MESSAGE_CREATE' }, 'hello');
    const record = JSON.parse(lines[0] ?? '{}');
    expect(record).toMatchObject({ name: 'test', shardId: 3, event: 'MESSAGE_CREATE', msg: 'hello' });
  });
});
