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

const directory = process.env.DGC_GC_WATCH_DIR;
if (directory) {
  const collections = [];
  const stalls = [];
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
      JSON.stringify({ argv: process.argv, collections, stalls }),
    );
  });
}
