import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

export interface CpuPriorityOutcome {
  /** The nice value every thread of the process was given. */
  processNice: number;
  /** The nice value of the process's scheduling autogroup, when it was set too. */
  autogroupNice?: number;
}

/**
 * On Linux a nice value belongs to a thread, and `setpriority` for the process sets only the calling one:
 * V8's garbage-collection and compiler threads and libuv's pool, started before this runs, would keep
 * competing at full priority. Sets every thread's; the threads started later inherit it.
 */
function setEveryThreadPriority(nice: number): void {
  let threadIds: string[];
  try {
    threadIds = readdirSync('/proc/self/task');
  } catch {
    return; // not Linux: the process's own priority is all there is
  }
  for (const threadId of threadIds) {
    try {
      setPriority(Number(threadId), nice);
    } catch {
      // The thread ended meanwhile.
    }
  }
}

/** This process leads its own session, so its autogroup holds only it and its descendants. */
function leadsOwnSession(): boolean {
  // /proc/self/stat: "pid (comm) state ppid pgrp session …"; comm may hold spaces and parentheses.
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[3]) === process.pid;
}

/**
 * Lowers this process's CPU priority to `nice` (0–19; lowering needs no privileges).
 *
 * Linux's autogroup scheduling (`kernel.sched_autogroup_enabled=1`, the default on many distributions) puts
 * every session in a group of its own and shares the CPU between groups first: a process started in its own
 * session (a supervisor's detached child, a service) then competes at its group's weight whatever its own
 * nice value, so the group's nice is lowered too. Only when this process leads its session, so that no other
 * process of the session is slowed with it.
 */
export function lowerCpuPriority(nice: number): CpuPriorityOutcome {
  setPriority(nice);
  setEveryThreadPriority(nice);
  try {
    if (!leadsOwnSession()) return { processNice: nice };
    writeFileSync('/proc/self/autogroup', String(nice));
    return { processNice: nice, autogroupNice: nice };
  } catch {
    // Not Linux, no autogroup support, or /proc is not mounted: the process's own nice is all there is.
    return { processNice: nice };
  }
}
