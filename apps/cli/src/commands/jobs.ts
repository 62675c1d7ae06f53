import { createPrismaClient, readJobHistory } from '@dgc/shared/db';
import { type Colour, colour } from '../terminal-format.js';
import type { CommandContext } from './command-context.js';

const outcomeColour: Record<string, Colour> = {
  succeeded: 'green',
  failed: 'red',
  abandoned: 'red',
  running: 'yellow',
};

/**
 * `jobs`: every periodic job's latest attempts (outcome, attempt, duration, error) from scheduled_job_run,
 * then the delayed jobs by status with the next one due and the latest failures. Reads DATABASE_URL.
 */
export async function printJobs({ databaseUrl, json }: CommandContext): Promise<void> {
  const prisma = createPrismaClient({ databaseUrl, maxConnections: 1 });
  try {
    const { periodic, delayed } = await readJobHistory(prisma);
    if (json) {
      console.log(
        JSON.stringify(
          { periodic, delayed },
          (_, value) => (typeof value === 'bigint' ? String(value) : value),
          2,
        ),
      );
      return;
    }
    console.log(colour('bold', 'periodic jobs (latest attempts)'));
    if (periodic.length === 0) console.log('  no runs recorded yet');
    for (const { job, latest, failedLastDay } of periodic) {
      const failures = failedLastDay > 0 ? colour('red', `  ${failedLastDay} failed in 24 h`) : '';
      console.log(`  ${colour('bold', job)}${failures}`);
      for (const run of latest) {
        const duration = run.durationMs === null ? '—' : `${run.durationMs} ms`;
        console.log(
          `    ${run.startedAt.toISOString()}  ${colour(outcomeColour[run.outcome] ?? 'gray', run.outcome.padEnd(9))} attempt ${run.attempt}  ${duration.padEnd(9)} ${run.runnerId}${run.error ? `  ${colour('red', run.error)}` : ''}`,
        );
      }
    }
    console.log(colour('bold', '\ndelayed jobs'));
    const counts = Object.entries(delayed.counts).map(([status, count]) => `${status} ${count}`);
    console.log(`  ${counts.length > 0 ? counts.join(', ') : 'none scheduled'}`);
    if (delayed.nextDue) {
      console.log(
        `  next due: #${delayed.nextDue.id} ${delayed.nextDue.name} at ${delayed.nextDue.runAt.toISOString()}`,
      );
    }
    for (const job of delayed.failed) {
      console.log(
        `  ${colour('red', 'failed')} #${job.id} ${job.name} after ${job.attempts} attempts: ${job.error ?? ''}`,
      );
    }
  } finally {
    await prisma.$disconnect();
  }
}
