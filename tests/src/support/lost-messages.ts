import type { ManagedProcess } from '@dgc/dev-tools/supervision';
import type { DiscordSimulator } from '@dgc/discord-simulator';
import { type Redis, RedisKeys } from '@dgc/shared';

/** A session milestone as the simulator saw it, with the sequence it stood at. */
export interface SessionEventRecord {
  at: number;
  kind: 'identify' | 'ready' | 'resumed' | 'closed';
  shardId: number | undefined;
  sessionId: string | undefined;
  detail: string;
}

/**
 * Keeps every session milestone of the simulator from now on: when an end-to-end test loses events, which
 * connection resumed which session from which sequence is what explains it.
 */
export function recordSessionEvents(simulator: DiscordSimulator): SessionEventRecord[] {
  const records: SessionEventRecord[] = [];
  const sequenceOf = (sessionId: string | undefined) =>
    simulator.sessions().find((session) => session.sessionId === sessionId)?.sequence;
  simulator.on('identify', ({ shard, sessionId }) =>
    records.push({ at: Date.now(), kind: 'identify', shardId: shard[0], sessionId, detail: '' }),
  );
  simulator.on('ready', ({ shard, sessionId }) =>
    records.push({ at: Date.now(), kind: 'ready', shardId: shard[0], sessionId, detail: '' }),
  );
  simulator.on('resumed', ({ shard, sessionId, replayed }) => {
    // The session's sequence counts the RESUMED dispatch sent after the replay.
    const sequence = sequenceOf(sessionId);
    const from = sequence === undefined ? '?' : sequence - 1 - replayed;
    records.push({
      at: Date.now(),
      kind: 'resumed',
      shardId: shard[0],
      sessionId,
      detail: `from seq ${from}, replayed ${replayed}`,
    });
  });
  simulator.on('closed', ({ shard, sessionId, code, byClient }) =>
    records.push({
      at: Date.now(),
      kind: 'closed',
      shardId: shard?.[0],
      sessionId,
      detail: `code ${code} by ${byClient ? 'client' : 'server'} at seq ${sequenceOf(sessionId) ?? '?'}`,
    }),
  );
  return records;
}

/** Gateway log lines that tell who ran, resumed, stopped or dropped which shard. */
const shardLifecycle =
  /shard READY|shard resumed|resumable session|lease|handed a shard|shard connection closed|dropped|stopping a shard|Destroying|Invalid session/;

interface DiagnosisInput {
  simulator: DiscordSimulator;
  redis: Redis;
  keyPrefix: string;
  processes: readonly ManagedProcess[];
  sessionEvents: readonly SessionEventRecord[];
}

/**
 * Explains MESSAGE_CREATEs the simulator sent and no handler recorded: each one's shard, session and
 * sequence from the ledger, whether a worker ever claimed it (its dedupe key), each shard's session
 * milestones and the gateways' shard lifecycle log lines, all on one clock relative to the first dispatch.
 */
export async function describeUnhandledMessages(input: DiagnosisInput, missing: readonly string[]) {
  const { simulator, redis, keyPrefix, processes, sessionEvents } = input;
  const keys = new RedisKeys(keyPrefix);
  const wanted = new Set(missing);
  const records = simulator.ledger.entries('MESSAGE_CREATE');
  const origin = records[0]?.sentAt ?? Date.now();
  const at = (time: number) => `+${time - origin}ms`;
  const lines = [`${missing.length} MESSAGE_CREATE sent and never handled (times from the first dispatch):`];
  const lost = records.filter((record) => wanted.has(record.key));
  const claims = lost.length
    ? await redis.mget(...lost.map((record) => keys.dedupe(`MESSAGE_CREATE:${record.key}`)))
    : [];
  // Runs of consecutive sequences per session, so a gap reads as one line.
  const runs = new Map<
    string,
    { first: number; last: number; from: number; to: number; claims: Set<string> }[]
  >();
  lost.forEach((record, index) => {
    const session = `shard ${record.shardId} session ${record.sessionId.slice(0, 8)}`;
    const list = runs.get(session) ?? [];
    const last = list.at(-1);
    const claim = claims[index] === null ? 'never claimed' : `claim ${claims[index]}`;
    if (last && last.last + 1 === record.sequence) {
      last.last = record.sequence;
      last.to = record.sentAt;
      last.claims.add(claim);
    } else
      list.push({
        first: record.sequence,
        last: record.sequence,
        from: record.sentAt,
        to: record.sentAt,
        claims: new Set([claim]),
      });
    runs.set(session, list);
  });
  for (const [session, list] of runs)
    for (const run of list)
      lines.push(
        `  ${session}: seq ${run.first}..${run.last} sent ${at(run.from)}..${at(run.to)} (${[...run.claims].join(', ')})`,
      );
  lines.push('simulator sessions now:');
  for (const session of simulator.sessions())
    lines.push(
      `  shard ${session.shard[0]} session ${session.sessionId.slice(0, 8)}: ${session.state} at seq ${session.sequence}, resumed ${session.resumeCount} times`,
    );
  lines.push('session milestones:');
  for (const event of sessionEvents)
    lines.push(
      `  ${at(event.at)} shard ${event.shardId ?? '?'} ${event.kind} ${event.sessionId?.slice(0, 8) ?? ''} ${event.detail}`,
    );
  for (const process of processes) {
    if (!process.name.startsWith('gateway')) continue;
    lines.push(`${process.name} (pid ${process.pid}):`);
    for (const line of process.lines) {
      if (!shardLifecycle.test(line)) continue;
      try {
        const {
          time,
          msg,
          level,
          pid: _pid,
          hostname: _host,
          service: _service,
          ...rest
        } = JSON.parse(line) as Record<string, unknown> & { time: number; msg: string };
        lines.push(`  ${at(time)} ${String(level)} ${msg} ${JSON.stringify(rest)}`);
      } catch {
        lines.push(`  ${line}`);
      }
    }
  }
  return lines.join('\n');
}
