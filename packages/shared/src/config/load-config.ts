import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against a zod object whose keys are the variable names. Empty strings count
 * as unset, because `FOO=` in a .env file or a Kubernetes manifest almost always means "not configured".
 */
export function loadConfig<Schema extends z.ZodType>(
  processName: string,
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
    variable: issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)',
    problem: issue.message,
  }));
  throw new ConfigError(processName, issues);
}

/**
 * Entry-point variant: prints the full list of problems to stderr and exits non-zero, so a crash-looping
 * pod shows the whole story in its last log line.
 */
export function loadConfigOrExit<Schema extends z.ZodType>(
  processName: string,
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> {
  try {
    return loadConfig(processName, schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG from sysexits.h: configuration error
    }
    throw error;
  }
}
