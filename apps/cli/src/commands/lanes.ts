import { ClusterOverviewReader } from '@dgc/shared/cluster-view';
import { age, colour } from '../terminal-format.js';
import type { CommandContext } from './command-context.js';

/** `lanes`: each lane's jobs by state and how long its oldest waiting job has waited. */
export async function printLanes({ redis, keyPrefix, json }: CommandContext): Promise<void> {
  const reader = new ClusterOverviewReader(redis, keyPrefix);
  try {
    const { lanes } = await reader.read();
    if (json) {
      console.log(JSON.stringify(lanes, null, 2));
      return;
    }
    console.log(
      `${'lane'.padEnd(14)}${'waiting'.padStart(9)}${'active'.padStart(9)}${'delayed'.padStart(9)}${'failed'.padStart(9)}  lag`,
    );
    for (const lane of lanes) {
      const lag = colour(
        lane.lagMs > 5_000 ? 'red' : lane.lagMs > 1_000 ? 'yellow' : 'green',
        age(lane.lagMs),
      );
      const failed = String(lane.failed).padStart(9);
      console.log(
        `${lane.lane.padEnd(14)}${String(lane.waiting).padStart(9)}${String(lane.active).padStart(9)}${String(lane.delayed).padStart(9)}${lane.failed > 0 ? colour('red', failed) : failed}  ${lag}`,
      );
    }
  } finally {
    await reader.close();
  }
}
