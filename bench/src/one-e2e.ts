/**
 * One end-to-end configuration on its own, for profiling and quick comparisons:
 * `node --conditions=source --import tsx src/one-e2e.ts <project|naive|brokers> [consumers]` (from bench/).
 * `BENCH_E2E_EVENTS` and `BENCH_E2E_RATE` apply as in the full scenario; prints the run as JSON.
 */
import { type EndToEndPath, runEndToEnd } from './e2e-scenario.js';

const paths: readonly EndToEndPath[] = ['project', 'naive', 'brokers'];
const path = (process.argv[2] ?? 'project') as EndToEndPath;
const consumers = Number(process.argv[3] ?? 2);
if (!paths.includes(path) || !Number.isInteger(consumers) || consumers < 1) {
  console.error(`usage: one-e2e.ts <${paths.join('|')}> [consumers ≥ 1]`);
  process.exit(64);
}
console.log(JSON.stringify(await runEndToEnd(path, consumers)));
process.exit(0);
