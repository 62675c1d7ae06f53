import { envGroup, variable } from './env-docs.js';
import { positiveInt } from './env-fields.js';

/**
 * One retention for "this event was handled": workers keep their Redis dedupe keys this long and the
 * scheduler prunes `handled_event` rows older than it. Two settings would let the stores disagree about
 * whether a redelivery is a duplicate, so both read this one.
 */
export const dedupeEnvShape = envGroup('Deduplication', {
  DEDUPE_RETENTION_MS: variable(
    positiveInt(3_600_000),
    "How long (ms) a handled event's id is remembered so a redelivery (retry, stall, resume replay) is skipped: the TTL of the workers' Redis dedupe keys and the age past which the scheduler prunes handled_event rows. It must outlast the longest way a handled event comes back: a stalled job's redelivery (seconds), a resume replay (Discord keeps a session resumable for minutes), a reshard's overlap (seconds); failed events are re-queued alone, so a late `failed retry` needs no mark. Each remembered event costs Redis about 250 bytes (`npm run bench -- soak` prints the figure: 246 in one run), so one hour at 5,000 events/s is about 4 GiB: lower it for busier bots, raise it when Redis may be away longer than it (a job whose handler ran just before Redis went away is redelivered when it returns).",
  ),
});
