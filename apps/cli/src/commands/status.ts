import type { ProcessRecord, TaskSnapshot } from '@dgc/shared';
import {
  describeGenerations,
  readGenerations,
  readIdentifyBudgetExhaustion,
  readLiveProcesses,
  readShards,
  type ShardRow,
} from '@dgc/shared/cluster-view';
import { age, type Colour, colour } from '../terminal-format.js';
import type { CommandContext } from './command-context.js';

/** What `status`, `shards` and `processes` show: shards, live processes, or both. */
export type ClusterStateView = 'status' | 'shards' | 'processes';

const stateColour: Record<TaskSnapshot['state'], Colour> = {
  running: 'green',
  idle: 'gray',
  waiting: 'yellow',
  paused: 'yellow',
  failed: 'red',
  stopped: 'red',
};

function printProcesses(processes: readonly ProcessRecord[]): void {
  if (processes.length === 0) {
    console.log('no live processes');
    return;
  }
  for (const record of processes) {
    console.log(
      `${colour('bold', record.role.padEnd(10))} ${record.host}:${record.pid}  up ${age(Date.now() - record.startedAt)}  heartbeat ${age(Date.now() - record.heartbeatAt)} ago`,
    );
    for (const task of record.tasks) {
      const failures = task.failures > 0 ? colour('red', ` failures ${task.failures}`) : '';
      const runs = task.kind === 'periodic' ? ` runs ${task.runs}` : '';
      console.log(
        `  ${task.name.padEnd(34)} ${colour(stateColour[task.state], task.state.padEnd(8))} for ${age(task.stateAgeMs).padEnd(8)}${runs}${failures}${task.detail ? `  ${colour('gray', task.detail)}` : ''}`,
      );
    }
  }
}

function printShards(rows: readonly ShardRow[]): void {
  if (rows.length === 0) {
    console.log('no shard count published yet (no gateway has started)');
    return;
  }
  for (const row of rows) {
    const state = colour(
      row.state === 'running' ? 'green' : row.state === 'unowned' ? 'red' : 'yellow',
      row.state.padEnd(8),
    );
    console.log(
      `g${row.generation} shard ${String(row.shard).padStart(4)}  ${state} ${(row.owner ?? '—').padEnd(40)} seq ${String(row.sequence ?? '—').padEnd(10)} last event ${row.lastEventAgeMs === null ? '—' : `${age(row.lastEventAgeMs)} ago`}  ${colour('gray', row.detail)}`,
    );
  }
}

/**
 * `status` (shards, then processes), `shards` (every shard: the process holding its lease, its state and
 * heartbeat latency, its sequence and last event) and `processes` (live processes and their background
 * tasks), with a warning first when Discord's session starts ran out.
 */
export async function printClusterState(
  view: ClusterStateView,
  { redis, keyPrefix, json }: CommandContext,
): Promise<void> {
  const processes = view === 'shards' ? [] : await readLiveProcesses(redis, keyPrefix);
  const shards = view === 'processes' ? [] : await readShards(redis, keyPrefix);
  const exhaustion = await readIdentifyBudgetExhaustion(redis, keyPrefix);
  const generations = view === 'processes' ? undefined : await readGenerations(redis, keyPrefix);
  const identifyBudget = exhaustion && {
    exhausted: true,
    total: exhaustion.total,
    resetAt: new Date(exhaustion.resetAt).toISOString(),
  };
  if (json) {
    const output =
      view === 'status'
        ? { generations, shards, processes, identifyBudget }
        : view === 'shards'
          ? shards
          : processes;
    console.log(JSON.stringify(output, null, 2));
    return;
  }
  if (identifyBudget && view !== 'processes') {
    console.log(
      colour(
        'red',
        `no session starts (identifies) left: shards that must identify wait until ${identifyBudget.resetAt}`,
      ),
    );
  }
  if (generations) console.log(describeGenerations(generations));
  if (view !== 'processes') printShards(shards);
  if (view === 'status') console.log('');
  if (view !== 'shards') printProcesses(processes);
}
