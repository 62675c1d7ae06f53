import { z } from 'zod';

/**
 * What an operator needs to know about one environment variable. Kept on the variable's zod schema, so the
 * schema stays the one description of the configuration: `.env.example` and the README's configuration
 * table are generated from it (`npm run config:docs`), and a test fails when they drift.
 */
export interface EnvVariableDoc {
  /** What it does and the values it takes, in sentences an operator can act on. */
  description: string;
  /** Heading the variable is listed under in the generated docs, e.g. "Gateway". Set by `envGroup`. */
  group: string;
  /** A credential: the docs show the variable but never a value. */
  secret?: boolean;
  /** What leaving it unset means, for a variable whose schema has no literal default. */
  unsetMeans?: string;
}

/** Every documented environment variable's schema, with its documentation. */
export const envDocs = z.registry<EnvVariableDoc>();

/**
 * A documented variable: a copy of `schema` (schemas such as `logLevel` are shared constants, and the
 * registry keys on the instance) registered with its description. `envGroup` adds the group.
 */
export function variable<Schema extends z.ZodType>(
  schema: Schema,
  doc: string | Omit<EnvVariableDoc, 'group'>,
): Schema {
  const copy = schema.clone() as Schema;
  envDocs.add(copy, { group: '', ...(typeof doc === 'string' ? { description: doc } : doc) });
  return copy;
}

/**
 * Files a shape's variables under one heading of the docs. Every field must have come from `variable`, so a
 * variable without a description fails when its module loads rather than going undocumented.
 */
export function envGroup<Shape extends Record<string, z.ZodType>>(group: string, shape: Shape): Shape {
  for (const [name, schema] of Object.entries(shape)) {
    const doc = envDocs.get(schema);
    if (!doc) throw new Error(`environment variable ${name} has no description: wrap it in variable()`);
    envDocs.add(schema, { ...doc, group });
  }
  return shape;
}

/** The documentation of one field, or an error naming the undocumented variable. */
export function envDocOf(name: string, schema: z.ZodType): EnvVariableDoc {
  const doc = envDocs.get(schema);
  if (!doc?.group)
    throw new Error(`environment variable ${name} is not documented (variable() and envGroup())`);
  return doc;
}

/**
 * The default an unset variable takes, as it would be written in the environment, or undefined when the
 * schema has none (optional or required). Looks through the transforms (`pipe`) that turn the raw string
 * into the typed value, because the default sits on the raw side.
 */
export function envDefaultOf(schema: z.ZodType): string | undefined {
  const def = schema._zod.def as { type: string; defaultValue?: unknown; in?: z.ZodType };
  if (def.type === 'default') return String(def.defaultValue);
  if (def.type === 'pipe' && def.in) return envDefaultOf(def.in);
  return undefined;
}

/** The variables a configuration schema reads: the keys of its object, also under refinements and transforms. */
export function envShapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const def = schema._zod.def as { type: string; shape?: Record<string, z.ZodType>; in?: z.ZodType };
  if (def.type === 'object' && def.shape) return def.shape;
  if (def.type === 'pipe' && def.in) return envShapeOf(def.in);
  throw new Error(`a configuration schema must be a zod object (got ${def.type})`);
}
