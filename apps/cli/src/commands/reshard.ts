import { setTimeout as sleep } from 'node:timers/promises';
import { advanceReshard, startReshard } from '@dgc/shared';
import { describeGenerations, readGenerations } from '@dgc/shared/cluster-view';
import { colour } from '../terminal-format.js';
import type { CommandContext } from './command-context.js';

const usage = 'usage: reshard --to <shard count> [--deadline=<seconds, default 600>] [--no-wait]';

/**
 * `reshard --to N`: checks the session-start budget, starts generation g+1 with N shards (the gateways
 * bring it up beside the running set, holding its events), then follows the reshard with progress until
 * it switched or rolled back. Stopping the command does not stop the reshard: the gateways run its state
 * machine; this command runs it too, so it also finishes when the gateways are busy.
 */
export async function reshard({ redis, keyPrefix, args, json }: CommandContext): Promise<void> {
  const to = Number(/^\d+$/.exec(args[args.indexOf('--to') + 1] ?? '')?.[0] ?? Number.NaN);
  if (!args.includes('--to') || !Number.isInteger(to) || to < 1) {
    console.error(usage);
    process.exitCode = 64;
    return;
  }
  const deadlineS = Number(
    /^--deadline=(\d+)$/.exec(args.find((arg) => arg.startsWith('--deadline=')) ?? '')?.[1] ?? 600,
  );
  const started = await startReshard(redis, keyPrefix, { toShardCount: to, deadlineMs: deadlineS * 1_000 });
  if (!started.started) {
    console.error(colour('red', `reshard refused: ${started.reason}`));
    process.exitCode = 75;
    return;
  }
  const startedAt = Date.now();
  const say = (line: string, fields: Record<string, unknown>) =>
    console.log(json ? JSON.stringify({ at: Date.now(), ...fields }) : line);
  say(
    `resharding to ${to} shards as generation ${started.generation} (${started.remainingStarts} session starts left)`,
    {
      event: 'started',
      generation: started.generation,
      shardCount: to,
    },
  );
  if (args.includes('--no-wait')) return;
  let last = '';
  for (;;) {
    const progress = await advanceReshard(redis, keyPrefix);
    const view = await readGenerations(redis, keyPrefix);
    const line = describeGenerations(view);
    if (line !== last) say(line, { event: 'progress', ...progress, generations: view });
    last = line;
    if (progress.phase === 'none' || progress.phase === 'committed' || progress.phase === 'rolled-back') {
      const committed = view.active?.generation === started.generation;
      const seconds = ((Date.now() - startedAt) / 1_000).toFixed(1);
      say(
        committed
          ? colour('green', `switched to ${to} shards in ${seconds} s`)
          : colour(
              'red',
              `rolled back after ${seconds} s: ${view.last?.outcome ?? 'the new set did not come up'}`,
            ),
        { event: committed ? 'switched' : 'rolled-back', seconds: Number(seconds) },
      );
      if (!committed) process.exitCode = 1;
      return;
    }
    await sleep(250);
  }
}
