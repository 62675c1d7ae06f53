import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const pgOutageSeconds = Number(process.env.BENCH_PG_OUTAGE_SECONDS ?? 120);
export const pgOutagePerSecond = Number(process.env.BENCH_PG_OUTAGE_RATE ?? 1_000);

/**
 * `pg-outage`: the chaos test `tests/src/chaos/postgres-outage.test.ts` (a test-owned PostgreSQL stopped
 * under load; breakers open, /readyz 503, intake resumes by itself, every event counted once, none failed)
 * at the issue's size — 2 minutes at 1,000 events/s — which does not fit `npm test`'s budget. The test's
 * assertions are the scenario's pass/fail; its `[measure]` line carries the figures.
 */
export async function runPgOutage() {
  const testsFolder = resolve(import.meta.dirname, '../../tests');
  const lines: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(
      process.execPath,
      [resolve(testsFolder, '../node_modules/vitest/vitest.mjs'), 'run', 'src/chaos/postgres-outage.test.ts'],
      {
        cwd: testsFolder,
        env: {
          ...process.env,
          CHAOS_PG_OUTAGE_MS: String(pgOutageSeconds * 1_000),
          CHAOS_PG_EVENTS_PER_SECOND: String(pgOutagePerSecond),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      lines.push(...chunk.toString('utf8').split('\n'));
    });
    child.once('error', fail);
    child.once('exit', done);
  });
  // Vitest colours the line's start on a terminal: the figures are what follows the marker.
  const marker = '[measure] PostgreSQL stopped';
  const line = lines.find((entry) => entry.includes(marker));
  const measure = line?.slice(line.indexOf(marker));
  if (code !== 0) throw new Error(`the PostgreSQL outage scenario failed (vitest exited ${code})`);
  return { seconds: pgOutageSeconds, eventsPerSecond: pgOutagePerSecond, measure };
}
