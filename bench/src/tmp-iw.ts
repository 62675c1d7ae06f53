import { writeFileSync } from 'node:fs';
import { BenchCluster } from './harness/bench-cluster.js';

const cluster = await BenchCluster.start('iw', { shardCount: 4, guildCount: 40 });
try {
  const iw = await cluster.startApp(
    'worker',
    { WORKER_LANES: 'interactions', DGC_NODE_FLAGS: '' },
    'worker-interactions',
  );
  await cluster.startApp('gateway');
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < 2000; i++) {
    const it = cluster.simulator.injectInteraction({ commandName: 'ping' });
    pending.push(cluster.simulator.waitForInteractionResponse(it.id, 10_000));
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  writeFileSync('/tmp/iw.log', iw.lines.join('\n'));
} finally {
  await cluster.close();
}
