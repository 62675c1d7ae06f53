import type { GatewayEventEnvelope } from '@dgc/shared';

/** A dispatch's payload lacks a field its handlers rely on, or has it with the wrong type. Never retried. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
}

type FieldType = 'snowflake' | 'string' | 'number';
/** Required fields (a nested object: required object with its own fields); `?` = optional but typed. */
interface Shape {
  readonly [field: string]: FieldType | `${FieldType}?` | Shape;
}

const user: Shape = { id: 'snowflake' };

/**
 * The fields handlers of the common events read without checking, per event. Discord guarantees them; a
 * payload without them (a proxy rewriting traffic, a simulator fault, an API change) would fail inside the
 * bot's handler with a TypeError on every retry, so it is refused before any handler runs. Events not
 * listed are passed through as they are.
 */
const shapes: Readonly<Record<string, Shape>> = {
  MESSAGE_CREATE: {
    id: 'snowflake',
    channel_id: 'snowflake',
    guild_id: 'snowflake?',
    author: user,
    content: 'string',
    timestamp: 'string',
  },
  MESSAGE_UPDATE: { id: 'snowflake', channel_id: 'snowflake', guild_id: 'snowflake?' },
  MESSAGE_DELETE: { id: 'snowflake', channel_id: 'snowflake', guild_id: 'snowflake?' },
  INTERACTION_CREATE: {
    id: 'snowflake',
    application_id: 'snowflake',
    type: 'number',
    token: 'string',
    guild_id: 'snowflake?',
  },
  GUILD_MEMBER_ADD: { guild_id: 'snowflake', user },
  GUILD_MEMBER_REMOVE: { guild_id: 'snowflake', user },
  TYPING_START: { channel_id: 'snowflake', user_id: 'snowflake', guild_id: 'snowflake?' },
};

const snowflakePattern = /^\d{1,20}$/;

function typeProblem(value: unknown, type: FieldType): string | undefined {
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number';
  if (typeof value !== 'string') return type === 'snowflake' ? 'a snowflake string' : 'a string';
  if (type === 'snowflake' && !snowflakePattern.test(value)) return 'a snowflake string';
  return undefined;
}

function check(value: Record<string, unknown>, shape: Shape, path: string, problems: string[]): void {
  for (const [field, expected] of Object.entries(shape)) {
    const at = `${path}${field}`;
    const actual = value[field];
    if (typeof expected === 'object') {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
        problems.push(`${at} must be an object`);
      else check(actual as Record<string, unknown>, expected, `${at}.`, problems);
      continue;
    }
    const optional = expected.endsWith('?');
    if (actual === undefined || actual === null) {
      if (!optional) problems.push(`${at} is missing`);
      continue;
    }
    const problem = typeProblem(actual, expected.replace('?', '') as FieldType);
    if (problem) problems.push(`${at} must be ${problem}`);
  }
}

/** Throws `InvalidPayloadError` naming every problem when the payload does not have its event's shape. */
export function checkPayloadShape(envelope: GatewayEventEnvelope): void {
  const shape = shapes[envelope.event];
  if (!shape) return;
  const problems: string[] = [];
  check(envelope.payload as unknown as Record<string, unknown>, shape, '', problems);
  if (problems.length > 0)
    throw new InvalidPayloadError(`${envelope.event} payload: ${problems.slice(0, 5).join('; ')}`);
}
