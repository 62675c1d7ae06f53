/**
 * What a process's RSS is made of, read from inside it: a module Node imports before the app (through
 * NODE_OPTIONS, so no app carries bench code) prints `process.memoryUsage()` as one JSON line every
 * `everyMs`, beside the app's own JSON logs. The bench tells heap growth (V8: live objects and garbage not
 * collected yet) from external memory (Buffers, array buffers: sockets, zlib) and from the rest (code,
 * stacks, the allocator's own pages).
 */

/** One reading, in bytes (`process.memoryUsage()`). */
export interface MemoryReading {
  /** performance.now() of the bench process when the line arrived. */
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const probeMessage = 'bench memory probe';

/** The probe's source: a timer that does not keep the process alive and allocates one short line a tick. */
function probeSource(everyMs: number): string {
  return [
    'const timer = setInterval(() => {',
    '  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();',
    `  process.stdout.write(JSON.stringify({ msg: ${JSON.stringify(probeMessage)}, rss, heapTotal, heapUsed, external, arrayBuffers }) + '\\n');`,
    `}, ${everyMs});`,
    'timer.unref();',
  ].join('\n');
}

/** Environment that loads the probe into a Node process (added to whatever NODE_OPTIONS already holds). */
export function memoryProbeEnv(everyMs = 50): { NODE_OPTIONS: string } {
  const module = `data:text/javascript,${encodeURIComponent(probeSource(everyMs))}`;
  return { NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', `--import=${module}`].join(' ').trim() };
}

/** The reading a line of the process's output carries, if it is the probe's. */
export function memoryReadingOf(line: string): MemoryReading | undefined {
  if (!line.includes(probeMessage)) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<MemoryReading> & { msg?: string };
    if (parsed.msg !== probeMessage) return undefined;
    return {
      at: performance.now(),
      rss: Number(parsed.rss),
      heapTotal: Number(parsed.heapTotal),
      heapUsed: Number(parsed.heapUsed),
      external: Number(parsed.external),
      arrayBuffers: Number(parsed.arrayBuffers),
    };
  } catch {
    return undefined;
  }
}
