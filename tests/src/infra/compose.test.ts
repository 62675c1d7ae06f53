import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { laneNames } from '@dgc/shared';
import { describe, expect, it } from 'vitest';
import {
  closeMarginMs,
  type Environment,
  holdsCredential,
  probeStatuses,
  roleConfiguration,
  sampleSecretValues,
} from './support/process-roles.js';
import {
  parseEnvFile,
  parseYamlFile,
  readRepositoryFile,
  repositoryPath,
} from './support/repository-files.js';

// The Docker Compose client is not installed on these machines (`docker compose version` fails), so the
// file is parsed and checked here rather than through `docker compose config`.
const composeFile = repositoryPath('infra/compose/compose.yaml');
const composeDirectory = dirname(composeFile);

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number> | string[];
  env_file?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
  deploy?: { replicas?: number };
  ports?: string[];
  container_name?: string;
  restart?: string;
  healthcheck?: { test: string[] };
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const loadCompose = () => parseYamlFile(composeFile)[0] as ComposeFile;

/** `${NAME:-default}` as Compose resolves it with NAME unset. */
const withDefaults = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const appImage = (compose: ComposeFile) => withDefaults(compose.services.migrate?.image ?? '');

/** The application services (the cluster's own image) and the role each runs. */
function applicationServices(compose: ComposeFile): [string, ComposeService, string][] {
  return Object.entries(compose.services)
    .filter(([, service]) => service.image !== undefined && withDefaults(service.image) === appImage(compose))
    .map(([name, service]) => [name, service, service.command?.[0] ?? 'gateway']);
}

function inlineEnvironment(service: ComposeService): Environment {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) return parseEnvFile(environment.join('\n'));
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, String(value)]));
}

/** What the service's env files set; the committed `.example` of each stands in for the operator's copy. */
function envFileEnvironment(service: ComposeService): Environment {
  return Object.assign(
    {},
    ...(service.env_file ?? []).map((file) =>
      parseEnvFile(readRepositoryFile('infra/compose', `${file}.example`)),
    ),
  );
}

/** The environment a service's process would see: env files, then `environment` (Compose's precedence). */
function serviceEnvironment(service: ComposeService): Environment {
  const fromFiles = envFileEnvironment(service);
  const filled = Object.fromEntries(
    Object.entries(fromFiles).map(([name, value]) => [
      name,
      value === '' ? (sampleSecretValues[name] ?? '') : value,
    ]),
  );
  return { ...filled, ...inlineEnvironment(service) };
}

/** Compose durations: 25s, 1m30s, 500ms. */
function durationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(amount) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return total;
}

function composeProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service, role] of applicationServices(compose)) {
    const configuration = roleConfiguration(role);
    const inline = inlineEnvironment(service);
    const environment = serviceEnvironment(service);
    for (const variable of Object.keys(environment)) {
      if (!configuration.variables.has(variable))
        problems.push(`${name}: ${variable} is not read by the ${role}`);
    }
    for (const [variable, value] of Object.entries(inline)) {
      if (holdsCredential(variable, value))
        problems.push(`${name}: ${variable} is written inline instead of an env file`);
    }
    for (const problem of configuration.problems(environment)) problems.push(`${name}: ${problem}`);
    const deadline = configuration.drainDeadlineMs(environment);
    if (deadline !== undefined) {
      // Compose's default stop grace period is 10 s.
      const grace = durationMs(service.stop_grace_period ?? '10s');
      if (grace < deadline + closeMarginMs) {
        problems.push(
          `${name}: stop_grace_period ${grace} ms < drain deadline ${deadline} ms + ${closeMarginMs} ms`,
        );
      }
    }
    if (role !== 'migrate' && role !== 'gateway' && role !== 'dashboard') {
      const dependsOn = service.depends_on;
      const condition = Array.isArray(dependsOn) ? undefined : dependsOn?.migrate?.condition;
      if (condition !== 'service_completed_successfully') {
        problems.push(`${name}: does not wait for the migration to complete successfully`);
      }
    }
    if (service.container_name !== undefined) problems.push(`${name}: container_name prevents --scale`);
    if (role !== 'dashboard' && (service.ports ?? []).length > 0) problems.push(`${name}: publishes a port`);
  }
  return problems;
}

/** Redis's effective settings: the config file the command loads, then `--name value` arguments. */
function redisSettings(compose: ComposeFile): Record<string, string> {
  const redis = compose.services.redis as ComposeService;
  const command = redis.command ?? [];
  const settings: Record<string, string> = {};
  const configPath = command.find((part) => part.endsWith('.conf'));
  if (configPath !== undefined) {
    const mount = (redis.volumes ?? []).find((volume) => volume.split(':')[1] === configPath);
    if (mount === undefined) throw new Error(`redis: ${configPath} is not mounted`);
    for (const line of readRepositoryFile('infra/compose', mount.split(':')[0] as string).split('\n')) {
      const [directive, ...value] = line.trim().split(/\s+/);
      if (directive && !directive.startsWith('#')) settings[directive.toLowerCase()] = value.join(' ');
    }
  }
  for (let index = 0; index < command.length; index++) {
    const part = command[index] as string;
    if (part.startsWith('--')) settings[part.slice(2).toLowerCase()] = command[index + 1] ?? '';
  }
  return settings;
}

describe('Docker Compose deployment', () => {
  it('every application service sets only variables its role reads, valid, secrets from env files', () => {
    expect(composeProblems(loadCompose())).toEqual([]);
  });

  it('the checks catch an unknown variable, an inline token, a short grace period and a missing dependency', () => {
    const compose = loadCompose();
    const gateway = compose.services.gateway as ComposeService;
    gateway.environment = {
      ...inlineEnvironment(gateway),
      WORKER_LANES: 'interactions',
      DISCORD_TOKEN: 'a.b.c',
    };
    (compose.services['worker-events'] as ComposeService).stop_grace_period = '15s';
    (compose.services.scheduler as ComposeService).depends_on = { redis: { condition: 'service_healthy' } };
    expect(composeProblems(compose)).toEqual([
      'gateway: WORKER_LANES is not read by the gateway',
      'gateway: DISCORD_TOKEN is written inline instead of an env file',
      'worker-events: stop_grace_period 15000 ms < drain deadline 15000 ms + 10000 ms',
      'scheduler: does not wait for the migration to complete successfully',
    ]);
  });

  it('Redis keeps every job: AOF fsynced every second, never evicting', () => {
    const settings = redisSettings(loadCompose());
    expect(settings.appendonly).toBe('yes');
    expect(settings.appendfsync).toBe('everysec');
    expect(settings['maxmemory-policy']).toBe('noeviction');
  });

  it('runs the migration once, two gateways, two schedulers and each lane group as its own scalable service', () => {
    const compose = loadCompose();
    const services = applicationServices(compose);
    const byRole = (role: string) => services.filter(([, , serviceRole]) => serviceRole === role);
    expect(byRole('migrate').map(([, service]) => service.restart)).toEqual(['no']);
    for (const role of ['gateway', 'scheduler']) {
      expect(byRole(role).reduce((sum, [, service]) => sum + (service.deploy?.replicas ?? 1), 0)).toBe(2);
    }
    expect(byRole('dashboard')).toHaveLength(1);
    const workerLanes = byRole('worker').map(([, service]) =>
      serviceEnvironment(service).WORKER_LANES?.split(','),
    );
    // Interactions never share a process with the other lanes, and every lane has workers.
    expect(workerLanes).toContainEqual(['interactions']);
    expect(workerLanes.flat().sort()).toEqual([...laneNames].sort());
  });

  it('health checks ask the served /readyz on METRICS_PORT', async () => {
    const paths = new Set<string>();
    for (const [name, service] of applicationServices(loadCompose())) {
      const test = service.healthcheck?.test.join(' ');
      if (test === undefined) continue;
      const url = /http:\/\/127\.0\.0\.1:(\d+)(\/[a-z]+)/.exec(test);
      expect(url, name).not.toBeNull();
      expect(url?.[1], name).toBe(serviceEnvironment(service).METRICS_PORT);
      paths.add(url?.[2] ?? '');
    }
    expect([...paths]).toEqual(['/readyz']);
    expect(await probeStatuses([...paths])).toEqual({ '/readyz': 200 });
  });

  it('pins every third-party image and mounts the alert rules and the Grafana dashboard it provisions', () => {
    const compose = loadCompose();
    for (const [name, service] of Object.entries(compose.services)) {
      // The cluster's own image is built locally (`up --build`) and tagged by the operator.
      const image = withDefaults(service.image ?? '');
      if (image !== appImage(compose)) expect(image, name).toMatch(/:[^:]*\d[^:]*$/);
    }
    const mounts = (service: string) =>
      (compose.services[service]?.volumes ?? []).map((volume) => volume.split(':').slice(0, 2));
    const sourceOf = (service: string, target: string) =>
      mounts(service).find(([, to]) => to === target)?.[0];
    const alertsTarget = '/etc/prometheus/alerts.yml';
    expect(resolve(composeDirectory, sourceOf('prometheus', alertsTarget) ?? '')).toBe(
      repositoryPath('infra/prometheus/alerts.yml'),
    );
    const prometheusConfig = parseYamlFile(
      resolve(composeDirectory, sourceOf('prometheus', '/etc/prometheus/prometheus.yml') ?? ''),
    )[0] as { rule_files: string[]; scrape_configs: { dns_sd_configs: { names: string[] }[] }[] };
    expect(prometheusConfig.rule_files).toEqual([alertsTarget]);
    const scraped = prometheusConfig.scrape_configs.flatMap((job) =>
      job.dns_sd_configs.flatMap((sd) => sd.names),
    );
    expect(scraped.sort()).toEqual(
      applicationServices(compose)
        .filter(([, , role]) => role !== 'migrate')
        .map(([name]) => name)
        .sort(),
    );
    const dashboardMount = mounts('grafana').find(([from]) => from?.endsWith('dgc-overview.json'));
    expect(resolve(composeDirectory, dashboardMount?.[0] ?? '')).toBe(
      repositoryPath('infra/grafana/dgc-overview.json'),
    );
    const provisioning = resolve(composeDirectory, sourceOf('grafana', '/etc/grafana/provisioning') ?? '');
    const provider = parseYamlFile(resolve(provisioning, 'dashboards/dgc.yaml'))[0] as {
      providers: { options: { path: string } }[];
    };
    expect(dirname(dashboardMount?.[1] ?? '')).toBe(provider.providers[0]?.options.path);
    expect(existsSync(resolve(provisioning, 'datasources/prometheus.yaml'))).toBe(true);
  });
});
