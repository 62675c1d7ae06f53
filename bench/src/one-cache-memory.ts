/**
 * One holder of the cache scenario's world on its own, for comparing changes to the gateway's memory:
 * `node --conditions=source --import tsx src/one-cache-memory.ts <default|none|discord.js> [guilds] [shards]`
 * (from bench/). Prints the run as JSON; with `BENCH_TRACE_FILE` set, the process's other output (its logs,
 * a --trace-gc passed in DGC_NODE_FLAGS) is written there.
 */
import { createWriteStream } from 'node:fs';
import { type WorldHolder, worldHolderMemory } from './cache-memory.js';

const holders: Record<string, WorldHolder> = {
  default: 'gateway, default cache',
  none: 'gateway, CACHE_ENTITIES=none',
  'discord.js': 'discord.js Client',
};
const holder = holders[process.argv[2] ?? 'default'];
const guildCount = Number(process.argv[3] ?? 16_000);
const shardCount = Number(process.argv[4] ?? 16);
if (!holder || !Number.isInteger(guildCount) || !Number.isInteger(shardCount)) {
  console.error('usage: one-cache-memory.ts <default|none|discord.js> [guilds] [shards]');
  process.exit(64);
}
const trace = process.env.BENCH_TRACE_FILE ? createWriteStream(process.env.BENCH_TRACE_FILE) : undefined;
const result = await worldHolderMemory(holder, shardCount, guildCount, {}, (line) =>
  trace?.write(`${line}\n`),
);
trace?.end();
console.log(JSON.stringify(result));
process.exit(0);
