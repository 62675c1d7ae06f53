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
