import { readFile } from 'node:fs/promises';

// Linux reports CPU time in clock ticks: 100 per second on the kernels Node supports.
const ticksPerSecond = 100;

/** User + system CPU seconds a process has used, from /proc. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces: fields are counted from its closing parenthesis (state first).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Resident set size of a process in bytes, from /proc. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return Number(kilobytes ?? 0) * 1_024;
}

/** Samples the RSS of processes until `stop`, which returns each one's peak. */
export function sampleRss(pids: readonly number[], everyMs = 250) {
  const peaks = pids.map(() => 0);
  const timer = setInterval(() => {
    pids.forEach((pid, index) => {
      rssBytes(pid)
        .then((bytes) => {
          peaks[index] = Math.max(peaks[index] ?? 0, bytes);
        })
        .catch(() => undefined);
    });
  }, everyMs);
  return {
    stop(): number[] {
      clearInterval(timer);
      return peaks;
    },
  };
}

export const mebibytes = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
