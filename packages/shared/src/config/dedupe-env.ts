import { envGroup, variable } from './env-docs.js';
import { positiveInt } from './env-fields.js';

/**
 * One retention for "this event was handled": workers keep their Redis dedupe keys this long and the
 * scheduler prunes `handled_event` rows older than it. Two settings would let the stores disagree about
 * whether a redelivery is a duplicate, so both read this one.
 */
export const dedupeEnvShape = envGroup('Deduplication', {
  DEDUPE_RETENTION_MS: variable(
    positiveInt(24 * 3_600_000),
    "How long (ms) a handled event's id is remembered so a redelivery (retry, stall, resume replay) is skipped: the TTL of the workers' Redis dedupe keys and the age past which the scheduler prunes handled_event rows.",
  ),
});
