import type { ConfigIssue } from './config-error.js';
import type { Environment } from './environment.js';

/** A variable that was renamed: its former names are still read, with a warning, until `acceptedUntil`. */
export interface RenamedVariable {
  name: string;
  formerNames: readonly string[];
  /** The release after which the former names stop being read. */
  acceptedUntil: string;
}

export const renamedVariables: readonly RenamedVariable[] = [
  {
    name: 'DEDUPE_RETENTION_MS',
    formerNames: ['WORKER_DEDUPE_TTL_MS', 'HANDLED_EVENT_RETENTION_MS'],
    acceptedUntil: '0.2',
  },
];

/**
 * A variable no longer read whose replacement means something else: it cannot be carried over, and
 * ignoring it would leave the operator believing a setting applies. Set, it is a configuration error.
 */
export interface RetiredVariable {
  name: string;
  /** The variable that took its place, if any. */
  replacedBy: string;
  /** What to do instead. */
  advice: string;
}

export const retiredVariables: readonly RetiredVariable[] = [
  {
    name: 'SCHEDULER_DELAYED_LEASE_GRACE_MS',
    replacedBy: 'SCHEDULER_DELAYED_LEASE_MS',
    advice:
      "a delayed job's claim is now a lease renewed while it runs, not its timeout plus a grace: set SCHEDULER_DELAYED_LEASE_MS (how soon a killed replica's jobs are taken over) and remove SCHEDULER_DELAYED_LEASE_GRACE_MS",
  },
];

export interface RenamedVariablesResolution {
  /** The environment with each former name's value under the current name. */
  env: Record<string, string>;
  /** One line per former name in use, for the process to log once at start. */
  warnings: string[];
  /** Former and current names set to different values: nothing says which one the operator meant. */
  issues: ConfigIssue[];
}

/**
 * Reads former names of the variables a process reads (`readNames`). The rule for several names set at
 * once: equal values are fine (a deployment mid-migration), different values are a configuration error.
 */
export function resolveRenamedVariables(
  env: Environment,
  readNames: ReadonlySet<string>,
  renames: readonly RenamedVariable[] = renamedVariables,
): RenamedVariablesResolution {
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) resolved[key] = value;
  const warnings: string[] = [];
  const issues: ConfigIssue[] = [];
  for (const retired of retiredVariables) {
    if (readNames.has(retired.replacedBy) && resolved[retired.name] !== undefined)
      issues.push({ variable: retired.name, problem: `no longer read: ${retired.advice}` });
  }
  for (const rename of renames) {
    if (!readNames.has(rename.name)) continue;
    const inUse = rename.formerNames.filter((former) => resolved[former] !== undefined);
    if (inUse.length === 0) continue;
    const set = [rename.name, ...inUse].filter((name) => resolved[name] !== undefined);
    const values = new Set(set.map((name) => resolved[name]?.trim()));
    if (values.size > 1) {
      issues.push({
        variable: rename.name,
        problem: `${set.join(' and ')} are set to different values; set only ${rename.name}`,
      });
      continue;
    }
    for (const former of inUse) {
      warnings.push(
        `${former} is deprecated and is read until release ${rename.acceptedUntil}: rename it to ${rename.name}`,
      );
    }
    resolved[rename.name] ??= resolved[inUse[0] as string] as string;
  }
  return { env: resolved, warnings, issues };
}
