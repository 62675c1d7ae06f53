/**
 * Preload (`NODE_OPTIONS="--import ./bench/tools/gc-watch.mjs"`, with DGC_GC_WATCH_DIR set) that records,
 * in every Node process it is loaded into, each garbage collection (start as epoch ms, duration, kind) and
 * each event-loop stall (a 5 ms timer firing more than 4 ms late), and writes them to
 * `$DGC_GC_WATCH_DIR/<pid>.json` when the process exits. Start times are epoch milliseconds with
 * sub-millisecond precision, so the pauses of different processes can be laid against one another and
 * against a benchmark's own samples.
 */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const directory = process.env.DGC_GC_WATCH_DIR;
if (directory) {
  const collections = [];
  const stalls = [];
  // Once a second: [epoch ms, old space used MB, new space used MB], to tell promotion from retention.
  const heap = [];
  setInterval(() => {
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space]));
    const mb = (name) => Math.round((spaces[name]?.space_used_size ?? 0) / 1e4) / 100;
    heap.push([Date.now(), mb('old_space'), mb('new_space')]);
  }, 1_000).unref();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      collections.push([performance.timeOrigin + entry.startTime, entry.duration, entry.detail?.kind]);
  }).observe({ entryTypes: ['gc'] });
  const intervalMs = 5;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const lateMs = now - last - intervalMs;
    if (lateMs > 4) stalls.push([performance.timeOrigin + last + intervalMs, lateMs]);
    last = now;
  }, intervalMs).unref();
  process.on('exit', () => {
    writeFileSync(
      `${directory}/${process.pid}.json`,
      JSON.stringify({ argv: process.argv, lanes: process.env.WORKER_LANES, collections, stalls, heap }),
    );
  });
}
