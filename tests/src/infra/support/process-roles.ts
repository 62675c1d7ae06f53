import { request } from 'node:http';
import { dashboardEnvSchema } from '@dgc/dashboard';
import { gatewayEnvSchema } from '@dgc/gateway';
import { schedulerEnvSchema } from '@dgc/scheduler';
import { ConfigError, createLogger, loadConfig, TaskMonitor } from '@dgc/shared';
import { migrationToolEnvSchema } from '@dgc/shared/db';
import { ProcessMetrics, startMetricsServer } from '@dgc/shared/observability';
import { workerEnvSchema } from '@dgc/worker';
import { readRepositoryFile } from './repository-files.js';

/** Role name → compiled module: the table the image's entry point (start-role.mjs) reads. */
export const productionRoles = (
  JSON.parse(readRepositoryFile('scripts/production/production-roles.json')) as {
    roles: Record<string, string>;
  }
).roles;

export type Environment = Record<string, string>;

/** What a deployment may set for one role, read from that role's zod schema (never a list kept here). */
export interface RoleConfiguration {
  role: string;
  /** Every variable the role's schema reads. */
  variables: ReadonlySet<string>;
  /** Problems the role's own validation finds in an environment (empty: it would start). */
  problems(env: Environment): string[];
  /** The drain deadline (ms) the role would use with this environment; undefined for one-shot roles. */
  drainDeadlineMs(env: Environment): number | undefined;
}

interface ZodLikeObject {
  shape: Record<string, unknown>;
}

function fromSchema(
  role: string,
  schema: ZodLikeObject & Parameters<typeof loadConfig>[1],
): RoleConfiguration {
  const variables = new Set(Object.keys(schema.shape));
  // A long-running role has one drain deadline; a one-shot role (migrate) none.
  const deadlineVariables = [...variables].filter((name) => name.endsWith('_DRAIN_DEADLINE_MS'));
  if (deadlineVariables.length > 1) throw new Error(`${role}: more than one *_DRAIN_DEADLINE_MS variable`);
  const deadlineVariable = deadlineVariables[0];
  return {
    role,
    variables,
    problems(env) {
      try {
        loadConfig(role, schema, env);
        return [];
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.issues.map((issue) => `${issue.variable}: ${issue.problem}`);
      }
    },
    drainDeadlineMs(env) {
      if (deadlineVariable === undefined) return undefined;
      const config = loadConfig(role, schema, env) as Record<string, unknown>;
      return Number(config[deadlineVariable]);
    },
  };
}

/**
 * The migrate role is the worker's `npm run db:migrate` entry (apps/worker/src/migrate-main.ts): its schema,
 * plus the worker's WORKER_BOT_MODULE, whose migrations it applies after the runtime's.
 */
function migrateConfiguration(): RoleConfiguration {
  const configuration = fromSchema('migrate', migrationToolEnvSchema);
  const botModule = 'WORKER_BOT_MODULE';
  if (!(botModule in workerEnvSchema.shape)) throw new Error(`${botModule} left the worker's schema`);
  return { ...configuration, variables: new Set([...configuration.variables, botModule]) };
}

const roleConfigurations: Record<string, RoleConfiguration> = {
  gateway: fromSchema('gateway', gatewayEnvSchema),
  worker: fromSchema('worker', workerEnvSchema),
  scheduler: fromSchema('scheduler', schedulerEnvSchema),
  dashboard: fromSchema('dashboard', dashboardEnvSchema),
  migrate: migrateConfiguration(),
};

export function roleConfiguration(role: string): RoleConfiguration {
  const configuration = roleConfigurations[role];
  if (!configuration)
    throw new Error(`"${role}" is not a role the image runs (${Object.keys(productionRoles)})`);
  return configuration;
}

/**
 * Whether a variable's value is a credential, which may only come from a Secret (Kubernetes) or an env file
 * (Compose), never be written into a manifest: any token or password, and a connection URL that carries a
 * password (a URL without one, such as Compose's private `redis://redis:6379`, may be written inline).
 */
export function holdsCredential(name: string, value: string | undefined): boolean {
  if (/TOKEN|PASSWORD|SECRET|CREDENTIAL/.test(name)) return true;
  if (!name.endsWith('_URL') || value === undefined) return false;
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}

/** Stand-ins for values only a Secret or env file holds, shaped as the schemas require. */
export const sampleSecretValues: Environment = {
  DISCORD_TOKEN: 'MTA5ODc2NTQzMjE.sample.token-for-validation',
  DASHBOARD_TOKEN: 'sample-dashboard-token-0123456789',
  REDIS_URL: 'redis://:password@redis:6379',
  DATABASE_URL: 'postgresql://dgc:password@postgres:5432/dgc',
};

/**
 * How long after SIGTERM a process may still be closing once its drain deadline passed: stopping intake
 * and closing Redis, PostgreSQL and the metrics server. Every grace period must leave at least this much.
 */
export const closeMarginMs = 10_000;

/** The HTTP status every given path gets from the metrics server every process runs on METRICS_PORT. */
export async function probeStatuses(paths: readonly string[]): Promise<Record<string, number>> {
  const logger = createLogger({ name: 'probe-check', level: 'silent', format: 'json' });
  const server = await startMetricsServer({
    host: '127.0.0.1',
    port: 0,
    metrics: new ProcessMetrics('probe-check', new TaskMonitor({ logger })),
    logger,
  });
  try {
    const statuses: Record<string, number> = {};
    for (const path of paths) {
      statuses[path] = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: server.port, path }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    }
    return statuses;
  } finally {
    await server.close();
  }
}
