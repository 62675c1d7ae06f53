import type { z } from 'zod';
import { envDefaultOf, envDocOf, envShapeOf } from '../env-docs.js';
import { type RenamedVariable, renamedVariables } from '../renamed-variables.js';

/** A process (or tool) and the configuration schema it validates its environment with at start. */
export interface ProcessConfig {
  /** How the docs name it: gateway, worker, `npm start`… */
  name: string;
  schema: z.ZodType;
}

/** A variable read without a schema (test and bench knobs), listed so it is documented all the same. */
export interface UnvalidatedVariable {
  name: string;
  readBy: string;
  description: string;
}

export interface DocumentedVariable {
  name: string;
  group: string;
  description: string;
  /** As written in the environment; undefined when the schema has none. */
  defaultValue: string | undefined;
  secret: boolean;
  unsetMeans: string | undefined;
  /** Processes whose schema reads it, in catalogue order. */
  readBy: string[];
  formerNames: readonly string[];
}

export interface VariableGroup {
  title: string;
  /** Every process reading any variable of the group, in catalogue order. */
  readBy: string[];
  variables: DocumentedVariable[];
}

/**
 * Every variable of every process, grouped as their schemas file them. Groups and variables come in the
 * order they first appear in the catalogue; the description is the one on the first schema that reads it.
 */
export function describeConfiguration(
  processes: readonly ProcessConfig[],
  renames: readonly RenamedVariable[] = renamedVariables,
): VariableGroup[] {
  const variables = new Map<string, DocumentedVariable>();
  for (const process of processes) {
    for (const [name, schema] of Object.entries(envShapeOf(process.schema))) {
      const known = variables.get(name);
      if (known) {
        known.readBy.push(process.name);
        continue;
      }
      const doc = envDocOf(name, schema);
      variables.set(name, {
        name,
        group: doc.group,
        description: doc.description,
        defaultValue: doc.secret ? undefined : envDefaultOf(schema),
        secret: doc.secret ?? false,
        unsetMeans: doc.unsetMeans,
        readBy: [process.name],
        formerNames: renames.find((rename) => rename.name === name)?.formerNames ?? [],
      });
    }
  }
  const groups = new Map<string, VariableGroup>();
  for (const documented of variables.values()) {
    const group = groups.get(documented.group) ?? { title: documented.group, readBy: [], variables: [] };
    group.variables.push(documented);
    groups.set(documented.group, group);
  }
  const order = processes.map((process) => process.name);
  for (const group of groups.values()) {
    const readers = new Set(group.variables.flatMap((documented) => documented.readBy));
    group.readBy = order.filter((name) => readers.has(name));
  }
  return [...groups.values()];
}

/** "(read by X and Y)" when a variable's readers are fewer than its group's, else nothing. */
export function narrowerReaders(documented: DocumentedVariable, group: VariableGroup): string | undefined {
  if (documented.readBy.length === group.readBy.length) return undefined;
  return `Read by ${listOf(documented.readBy)}.`;
}

/** The sentence a renamed variable's docs end with. */
export function formerNamesNote(
  documented: DocumentedVariable,
  renames = renamedVariables,
): string | undefined {
  const rename = renames.find((candidate) => candidate.name === documented.name);
  if (!rename) return undefined;
  return `Formerly ${listOf(rename.formerNames)}: still read until release ${rename.acceptedUntil}, with a warning at start. Names of one variable set to different values are a configuration error.`;
}

export function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
