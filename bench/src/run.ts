/**
 * `npm run bench [-- <scenario>…]`: runs scenarios that start real processes, prints each figure beside a
 * baseline measured in the same run (absolute numbers drift on shared machines; ratios hold), and writes the
 * results to bench/results/<time>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runSimulatorScenario } from './simulator-scenario.js';

const scenarios = {
  simulator: async () => {
    const result = await runSimulatorScenario([10_000, 20_000, 40_000]);
    console.log('\nsimulator: start-up (median of 3)');
    console.table({
      'simulator process (20 guilds, as npm start)': { ms: Math.round(result.startupMs.simulator20Guilds) },
      'simulator process (20,000 guilds)': { ms: Math.round(result.startupMs.simulator20000Guilds) },
      'baseline: bare node + tsx': { ms: Math.round(result.startupMs.bareNode) },
    });
    console.log(`simulator: generated MESSAGE_CREATE delivered to 16 connected shards (${5} s each)`);
    console.table(
      result.throughput.map((row) => ({
        'target events/s': row.targetPerSecond,
        'simulator events/s': Math.round(row.simulatorPerSecond),
        'baseline (bare ws fan-out) events/s': Math.round(row.baselinePerSecond),
        'simulator / baseline': (row.simulatorPerSecond / row.baselinePerSecond).toFixed(2),
      })),
    );
    return result;
  },
} as const;

type ScenarioName = keyof typeof scenarios;
const requested = process.argv.slice(2).filter((arg) => arg !== '--');
const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length > 0) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; available: ${Object.keys(scenarios).join(', ')}`,
  );
  process.exit(2);
}
const selected = (requested.length > 0 ? requested : Object.keys(scenarios)) as ScenarioName[];
const results: Record<string, unknown> = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
};
for (const name of selected) results[name] = await scenarios[name]();
const resultsDir = resolve(import.meta.dirname, '../results');
await mkdir(resultsDir, { recursive: true });
const file = resolve(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`results written to ${file}`);
