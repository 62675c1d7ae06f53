import { z } from 'zod';

/** Reusable field parsers for environment variables; each gives a message an operator can act on. */

export const positiveInt = (defaultValue: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .positive('must be greater than 0')
    .default(defaultValue);

export const nonNegativeInt = (defaultValue: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .default(defaultValue);

export const booleanFlag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const urlWithProtocols = (protocols: readonly string[], defaultValue?: string) => {
  const schema = z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
  return defaultValue === undefined ? schema : schema.default(defaultValue);
};

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  .default('info');

export const logFormat = z
  .enum(['auto', 'json', 'pretty'], { message: 'must be auto, json or pretty' })
  .default('auto');

/** A Discord bot token: three dot-separated base64url parts. Never echoed back in messages. */
export const discordToken = z
  .string({ message: 'is required (the bot token from the Developer Portal)' })
  .regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, 'does not look like a bot token (expected three dot-separated parts)');

/** Redis key prefixes end up in every key name; keep them to a safe alphabet. */
export const keyPrefix = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of letters, digits, _ . : -')
  .default('dgc');

/** `host:port,host:port`: the seed nodes of a Sentinel or Redis Cluster deployment; unset means none. */
export const hostPortList = z
  .string()
  .optional()
  .transform((value, context): { host: string; port: number }[] | undefined => {
    if (value === undefined) return undefined;
    const nodes: { host: string; port: number }[] = [];
    for (const entry of value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      // The last colon separates the port, so an IPv6 address may be written in brackets: [::1]:26379.
      const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
      const port = Number(match?.[2]);
      if (!match?.[1] || !(port > 0 && port < 65_536)) {
        context.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
        return z.NEVER;
      }
      nodes.push({ host: match[1], port });
    }
    return nodes;
  });
