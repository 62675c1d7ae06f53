/**
 * One end-to-end configuration on its own, for profiling and quick comparisons:
 * `node --conditions=source --import tsx src/one-e2e.ts <project|naive|brokers> [consumers] [single|cluster]`
 * (from bench/; `cluster`: the project's path on a local 3-primary Redis Cluster). `BENCH_E2E_EVENTS`,
 * `BENCH_E2E_RATE` and `BENCH_E2E_BACKLOG` apply as in the full scenario; prints the run as JSON.
 */
import { type EndToEndPath, type EndToEndRedis, runEndToEnd } from './e2e-scenario.js';

const paths: readonly EndToEndPath[] = ['project', 'naive', 'brokers'];
const path = (process.argv[2] ?? 'project') as EndToEndPath;
const consumers = Number(process.argv[3] ?? 2);
const redis = (process.argv[4] ?? 'single') as EndToEndRedis;
if (
  !paths.includes(path) ||
  !Number.isInteger(consumers) ||
  consumers < 1 ||
  !['single', 'cluster'].includes(redis)
) {
  console.error(`usage: one-e2e.ts <${paths.join('|')}> [consumers ≥ 1] [single|cluster]`);
  process.exit(64);
}
console.log(JSON.stringify(await runEndToEnd(path, consumers, redis)));
process.exit(0);
