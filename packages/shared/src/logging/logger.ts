import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { createSecretScrubber } from './secret-scrubber.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** Process role, e.g. `gateway`; becomes the `name` field of every line. */
  name: string;
  level?: LoggerOptions['level'];
  /** `auto` pretty-prints only when stdout is a terminal; machines get JSON. */
  format?: 'auto' | 'json' | 'pretty';
  /** Literal secret values (the bot token) to scrub wherever they appear. */
  secrets?: readonly string[];
  /** Tests write to a capture stream instead of stdout. */
  destination?: DestinationStream;
}

/** Field paths that hold secrets in the objects this project logs. */
export const redactedPaths = [
  'token',
  '*.token',
  'd.token',
  'payload.token',
  'envelope.payload.token',
  'interaction.token',
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'discordToken',
  '*.discordToken',
];

export function createLogger(settings: LoggerSettings): Logger {
  const scrub = createSecretScrubber(settings.secrets ?? []);
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? 'info',
    redact: { paths: redactedPaths, censor: '[REDACTED]' },
    hooks: { streamWrite: scrub },
    base: { pid: process.pid },
  };
  if (settings.destination) return pino(options, settings.destination);
  const pretty =
    settings.format === 'pretty' || (settings.format !== 'json' && process.stdout.isTTY === true);
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(options);
}
