import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { envShapeOf } from './env-docs.js';
import type { Environment } from './environment.js';
import { resolveRenamedVariables } from './renamed-variables.js';

export type { Environment };

export interface LoadedConfig<Config> {
  config: Config;
  /** Deprecated variable names in use: the process logs each once at start. */
  warnings: string[];
}

/**
 * Validates the environment against a zod object whose keys are the variable names, and reports former
 * names of renamed variables. Empty strings count as unset, because `FOO=` in a .env file or a Kubernetes
 * manifest almost always means "not configured".
 */
export function readConfig<Schema extends z.ZodType>(
  processName: string,
  schema: Schema,
  env: Environment = process.env,
): LoadedConfig<z.output<Schema>> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const renamed = resolveRenamedVariables(cleaned, new Set(Object.keys(envShapeOf(schema))));
  const result = schema.safeParse(renamed.env);
  const issues: ConfigIssue[] = [
    ...renamed.issues,
    ...(result.success
      ? []
      : result.error.issues.map((issue) => ({
          variable: issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)',
          problem: issue.message,
        }))),
  ];
  if (issues.length > 0 || !result.success) throw new ConfigError(processName, issues);
  return { config: result.data, warnings: renamed.warnings };
}

/** `readConfig` for callers that log no warnings of their own (tests, tools): the validated config. */
export function loadConfig<Schema extends z.ZodType>(
  processName: string,
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> {
  return readConfig(processName, schema, env).config;
}

/**
 * Entry-point variant: prints the full list of problems to stderr and exits non-zero, so a crash-looping
 * pod shows the whole story in its last log line. Warnings are returned for the process's logger.
 */
export function readConfigOrExit<Schema extends z.ZodType>(
  processName: string,
  schema: Schema,
  env: Environment = process.env,
): LoadedConfig<z.output<Schema>> {
  try {
    return readConfig(processName, schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG from sysexits.h: configuration error
    }
    throw error;
  }
}

/** `readConfigOrExit` for tools without a logger: warnings go to stderr. */
export function loadConfigOrExit<Schema extends z.ZodType>(
  processName: string,
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> {
  const { config, warnings } = readConfigOrExit(processName, schema, env);
  for (const warning of warnings) process.stderr.write(`${processName}: ${warning}\n`);
  return config;
}
