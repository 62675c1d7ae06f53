import { execFileSync } from 'node:child_process';
import { laneNames, laneQueueName, RedisKeys } from '@dgc/shared';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { canonical, type ManifestObject, renderKustomization } from './support/kustomize.js';
import { schemaProblem } from './support/manifest-schemas.js';
import {
  closeMarginMs,
  type Environment,
  holdsCredential,
  probeStatuses,
  roleConfiguration,
  sampleSecretValues,
} from './support/process-roles.js';
import { parseYamlFile, repositoryPath } from './support/repository-files.js';

const baseDirectory = repositoryPath('infra/k8s/base');
const productionDirectory = repositoryPath('infra/k8s/overlays/production');
const renderings = {
  base: () => renderKustomization(baseDirectory),
  production: () => renderKustomization(productionDirectory),
};

// biome-ignore lint/suspicious/noExplicitAny: manifest fragments are untyped YAML, already schema-checked
type Fragment = any;

interface PodWorkload {
  object: ManifestObject;
  template: Fragment;
}

function podWorkloads(objects: ManifestObject[]): PodWorkload[] {
  return objects
    .filter((object) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind))
    .map((object) => ({ object, template: object.spec.template }));
}

/** The role a container runs: its first argument to the image's entry point (the image's default: gateway). */
const roleOf = (container: Fragment): string => container.args?.[0] ?? 'gateway';

/**
 * The environment a container would see, with a stand-in for every value taken from a Secret or the pod,
 * and every problem found on the way (a credential written inline, a whole Secret mounted as env, …).
 */
function containerEnvironment(container: Fragment, objects: ManifestObject[]) {
  const environment: Environment = {};
  const problems: string[] = [];
  for (const source of container.envFrom ?? []) {
    if (source.secretRef)
      problems.push(`envFrom secretRef ${source.secretRef.name}: take each key by secretKeyRef`);
    if (source.configMapRef) {
      const configMap = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef.name,
      );
      if (configMap === undefined)
        problems.push(`ConfigMap ${source.configMapRef.name} is not in the manifests`);
      for (const [name, value] of Object.entries(configMap?.data ?? {})) {
        if (holdsCredential(name, String(value))) problems.push(`${name} is a credential in a ConfigMap`);
        environment[name] = String(value);
      }
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      if (holdsCredential(variable.name, variable.value)) problems.push(`${variable.name} is written inline`);
      environment[variable.name] = String(variable.value);
    } else if (variable.valueFrom?.secretKeyRef) {
      environment[variable.name] = sampleSecretValues[variable.name] ?? 'value-from-a-secret';
    } else if (variable.valueFrom?.fieldRef) {
      environment[variable.name] = 'value-from-the-pod';
    } else {
      problems.push(`${variable.name}: only value, secretKeyRef or fieldRef are expected`);
    }
  }
  for (const name of ['DISCORD_TOKEN', 'DASHBOARD_TOKEN']) {
    const fromSecret = (container.env ?? []).some(
      (v: Fragment) => v.name === name && v.valueFrom?.secretKeyRef,
    );
    if (name in environment && !fromSecret)
      problems.push(`${name} does not come from a Secret (secretKeyRef)`);
  }
  return { environment, problems };
}

/** Every rule the manifests must keep; one line per violation. */
function manifestProblems(objects: ManifestObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const problem = schemaProblem(object);
    if (problem !== undefined) problems.push(problem);
  }
  for (const { object, template } of podWorkloads(objects)) {
    const label = `${object.kind} ${object.metadata.name}`;
    if (template.spec.securityContext?.runAsNonRoot !== true)
      problems.push(`${label}: runAsNonRoot is not set`);
    for (const container of template.spec.containers) {
      const role = roleOf(container);
      const configuration = roleConfiguration(role);
      const { environment, problems: environmentProblems } = containerEnvironment(container, objects);
      problems.push(...environmentProblems.map((problem) => `${label}: ${problem}`));
      for (const variable of Object.keys(environment)) {
        if (!configuration.variables.has(variable))
          problems.push(`${label}: ${variable} is not read by the ${role}`);
      }
      problems.push(...configuration.problems(environment).map((problem) => `${label}: ${problem}`));
      const deadline = configuration.drainDeadlineMs(environment);
      if (deadline === undefined) continue;
      // Kubernetes' default grace period is 30 s.
      const graceMs = (template.spec.terminationGracePeriodSeconds ?? 30) * 1_000;
      if (graceMs < deadline + closeMarginMs) {
        problems.push(
          `${label}: terminationGracePeriodSeconds ${graceMs / 1_000} < drain ${deadline} ms + ${closeMarginMs} ms`,
        );
      }
      problems.push(...probeProblems(label, container, environment));
    }
  }
  return problems;
}

/** Readiness on /readyz and liveness on /healthz, on the port the process serves them (METRICS_PORT, not loopback). */
function probeProblems(label: string, container: Fragment, environment: Environment): string[] {
  const problems: string[] = [];
  if (
    environment.METRICS_HOST === undefined ||
    ['127.0.0.1', 'localhost', '::1'].includes(environment.METRICS_HOST)
  ) {
    problems.push(`${label}: METRICS_HOST is loopback, the kubelet cannot probe it`);
  }
  for (const [probe, path] of [
    ['readinessProbe', '/readyz'],
    ['livenessProbe', '/healthz'],
  ] as const) {
    const httpGet = container[probe]?.httpGet;
    if (httpGet?.path !== path) {
      problems.push(`${label}: ${probe} is not an httpGet of ${path}`);
      continue;
    }
    const port =
      typeof httpGet.port === 'number'
        ? httpGet.port
        : container.ports?.find((p: Fragment) => p.name === httpGet.port)?.containerPort;
    if (String(port) !== environment.METRICS_PORT) {
      problems.push(
        `${label}: ${probe} port ${httpGet.port} is not METRICS_PORT ${environment.METRICS_PORT}`,
      );
    }
  }
  return problems;
}

/** BullMQ's wait list of a lane's queue, named by the code's one owner of Redis keys (RedisKeys). */
function laneWaitKey(lane: string, environment: Environment): string {
  const keys = new RedisKeys(environment.REDIS_KEY_PREFIX || 'dgc');
  return keys.queueKey(laneQueueName(lane as (typeof laneNames)[number]), 'wait');
}

/** Each worker Deployment has a ScaledObject on its own lanes' depth, within the REST budget. */
function autoscalingProblems(objects: ManifestObject[]): string[] {
  const problems: string[] = [];
  const scaledObjects = objects.filter((object) => object.kind === 'ScaledObject');
  let fallbackShareAtMaximum = 0;
  const workers = podWorkloads(objects).filter(
    ({ template }) => roleOf(template.spec.containers[0]) === 'worker',
  );
  for (const { object, template } of workers) {
    const label = `Deployment ${object.metadata.name}`;
    const { environment } = containerEnvironment(template.spec.containers[0], objects);
    const lanes = (environment.WORKER_LANES ?? laneNames.join(',')).split(',');
    const scaled = scaledObjects.filter(
      (scaledObject) => scaledObject.spec.scaleTargetRef.name === object.metadata.name,
    );
    if (scaled.length !== 1) {
      problems.push(`${label}: expected one ScaledObject, found ${scaled.length}`);
      continue;
    }
    if (object.spec.replicas !== undefined) problems.push(`${label}: sets replicas, which fights KEDA`);
    const spec = (scaled[0] as ManifestObject).spec;
    const minimum = spec.minReplicaCount ?? 0;
    if (lanes.includes('interactions') && minimum < 1)
      problems.push(`${label}: interactions workers scale to zero`);
    if (spec.maxReplicaCount === undefined || spec.maxReplicaCount < Math.max(minimum, 1)) {
      problems.push(`${label}: maxReplicaCount missing or below minReplicaCount`);
    }
    for (const trigger of spec.triggers) {
      if (trigger.type !== 'redis') continue;
      const expected = lanes.map((lane) => laneWaitKey(lane, environment));
      if (!expected.includes(trigger.metadata.listName)) {
        problems.push(
          `${label}: trigger list ${trigger.metadata.listName} is none of its lanes' ${expected}`,
        );
      }
      const authentication = trigger.authenticationRef?.name;
      if (!objects.some((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === authentication)) {
        problems.push(`${label}: TriggerAuthentication ${authentication} is not in the manifests`);
      }
    }
    fallbackShareAtMaximum += (spec.maxReplicaCount ?? 0) * Number(environment.REST_FALLBACK_SHARE ?? 0.25);
  }
  // While Redis is unreachable each worker sends up to REST_FALLBACK_SHARE of the REST limits on its own:
  // every worker at its maximum must still fit in the bot's limit.
  if (fallbackShareAtMaximum > 1 + 1e-9) {
    problems.push(
      `workers at their maximum × REST_FALLBACK_SHARE = ${fallbackShareAtMaximum} > 1 REST budget`,
    );
  }
  return problems;
}

const byKind = (objects: ManifestObject[], kind: string) => objects.filter((object) => object.kind === kind);
const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('Kubernetes manifests', () => {
  for (const [name, render] of Object.entries(renderings)) {
    it(`${name}: every object passes its Kubernetes, KEDA or Prometheus Operator schema and the deployment rules`, () => {
      const objects = render();
      expect(objects.length).toBeGreaterThan(10);
      expect(manifestProblems(objects)).toEqual([]);
      expect(autoscalingProblems(objects)).toEqual([]);
    });
  }

  it('the checks catch a schema error, an unknown variable, an inline token, a short grace period, a wrong probe', () => {
    const objects = renderings.production();
    const gateway = objects.find(
      (o) => o.metadata.name === 'dgc-gateway' && o.kind === 'Deployment',
    ) as Fragment;
    gateway.spec.replicas = 'two';
    gateway.spec.template.spec.terminationGracePeriodSeconds = 15;
    const container = gateway.spec.template.spec.containers[0];
    container.env.push({ name: 'WORKER_LANES', value: 'events' });
    container.env = container.env.map((v: Fragment) =>
      v.name === 'DISCORD_TOKEN' ? { name: v.name, value: 'a.b.c' } : v,
    );
    container.readinessProbe.httpGet.path = '/ready';
    expect(manifestProblems(objects)).toEqual([
      expect.stringMatching(/^Deployment dgc-gateway: .*replicas must be integer/),
      'Deployment dgc-gateway: DISCORD_TOKEN is written inline',
      'Deployment dgc-gateway: DISCORD_TOKEN does not come from a Secret (secretKeyRef)',
      'Deployment dgc-gateway: WORKER_LANES is not read by the gateway',
      'Deployment dgc-gateway: terminationGracePeriodSeconds 15 < drain 10000 ms + 10000 ms',
      'Deployment dgc-gateway: readinessProbe is not an httpGet of /readyz',
    ]);
  });

  it('the autoscaling checks catch interactions at zero, a wrong queue key and a maximum beyond the REST budget', () => {
    const objects = renderings.production();
    const [interactions, events] = ['dgc-worker-interactions', 'dgc-worker-events'].map(
      (name) => objects.find((o) => o.kind === 'ScaledObject' && o.metadata.name === name) as Fragment,
    );
    interactions.spec.minReplicaCount = 0;
    events.spec.triggers[0].metadata.listName =
      'dgc:{gateway-events-interactions}:gateway-events-interactions:wait';
    events.spec.maxReplicaCount = 20;
    expect(autoscalingProblems(objects)).toEqual([
      'Deployment dgc-worker-interactions: interactions workers scale to zero',
      expect.stringContaining(
        'Deployment dgc-worker-events: trigger list dgc:{gateway-events-interactions}:',
      ),
      expect.stringContaining('REST_FALLBACK_SHARE = 2.4 > 1'),
    ]);
  });

  it('probe paths are the ones the processes serve', async () => {
    const paths = new Set<string>();
    for (const { template } of podWorkloads(renderings.production())) {
      for (const container of template.spec.containers) {
        for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
          if (probe?.httpGet) paths.add(probe.httpGet.path);
        }
      }
    }
    expect([...paths].sort()).toEqual(['/healthz', '/readyz']);
    expect(await probeStatuses([...paths])).toEqual({ '/healthz': 200, '/readyz': 200 });
  });

  it('runs two gateways under a PodDisruptionBudget, two schedulers, the migration Job and a released image', () => {
    const objects = renderings.production();
    const deployment = (name: string) =>
      objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
    const gateway = deployment('dgc-gateway') as ManifestObject;
    expect(gateway.spec.replicas).toBeGreaterThanOrEqual(2);
    const budgets = byKind(objects, 'PodDisruptionBudget').filter((budget) =>
      selects(budget.spec.selector.matchLabels, gateway.spec.template.metadata.labels),
    );
    expect(budgets.map((budget) => budget.spec.minAvailable)).toEqual([1]);
    expect(deployment('dgc-scheduler')?.spec.replicas).toBe(2);
    const migration = byKind(objects, 'Job').map((job) => job.spec.template.spec);
    expect(migration.map((spec) => [spec.restartPolicy, spec.containers[0].args])).toEqual([
      ['Never', ['migrate']],
    ]);
    for (const { template } of podWorkloads(objects)) {
      for (const container of template.spec.containers)
        expect(container.image).toMatch(/:(?!latest$)[\w.-]+$/);
    }
    expect(objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'dgc')).toBe(true);
  });

  it('Prometheus scrapes every process through the ServiceMonitor, with the alert rules of infra/prometheus', () => {
    const objects = renderings.production();
    const [monitor] = byKind(objects, 'ServiceMonitor');
    const services = byKind(objects, 'Service').filter((service) =>
      selects(monitor?.spec.selector.matchLabels, service.metadata.labels),
    );
    expect(services).toHaveLength(1);
    const service = services[0] as ManifestObject;
    expect(service.spec.ports.map((port: Fragment) => port.name)).toContain(monitor?.spec.endpoints[0].port);
    for (const { object, template } of podWorkloads(objects)) {
      const servesMetrics = template.spec.containers.some((c: Fragment) =>
        c.ports?.some((p: Fragment) => p.name === 'metrics'),
      );
      if (servesMetrics)
        expect(selects(service.spec.selector, template.metadata.labels), object.metadata.name).toBe(true);
    }
    const alerts = parseYamlFile(repositoryPath('infra/prometheus/alerts.yml'))[0] as { groups: unknown };
    // Regenerate with `node infra/k8s/generate-prometheus-rule.mjs` when this fails.
    expect(byKind(objects, 'PrometheusRule').map((rule) => rule.spec.groups)).toEqual([alerts.groups]);
  });

  it('NetworkPolicies admit only named peers, and only to the metrics and dashboard ports', () => {
    const objects = renderings.production();
    const policies = byKind(objects, 'NetworkPolicy');
    for (const policy of policies) {
      expect(policy.spec.policyTypes).toContain('Ingress');
      for (const rule of policy.spec.ingress ?? []) {
        expect(rule.from?.length, policy.metadata.name).toBeGreaterThan(0);
        for (const peer of rule.from) expect(peer.ipBlock, policy.metadata.name).toBeUndefined();
        expect(rule.ports?.length, policy.metadata.name).toBeGreaterThan(0);
      }
    }
    for (const { object, template } of podWorkloads(objects)) {
      const ports = template.spec.containers.flatMap((c: Fragment) => c.ports ?? []);
      if (ports.length === 0) continue;
      const covering = policies.filter((policy) =>
        selects(policy.spec.podSelector.matchLabels, template.metadata.labels),
      );
      expect(covering.length, object.metadata.name).toBeGreaterThan(0);
      const admitted = covering.flatMap((policy) =>
        policy.spec.ingress.flatMap((rule: Fragment) => rule.ports.map((p: Fragment) => p.port)),
      );
      expect(admitted.sort(), object.metadata.name).toEqual(
        expect.arrayContaining(ports.map((port: Fragment) => port.name)),
      );
    }
  });

  it('renders as kubectl kustomize does, where kubectl is installed', () => {
    let kubectlOutput: string;
    try {
      kubectlOutput = execFileSync('kubectl', ['kustomize', productionDirectory], { encoding: 'utf8' });
    } catch {
      return; // No kubectl here: the renderer's own unit of work is covered by the checks above.
    }
    const fromKubectl = parseAllDocuments(kubectlOutput).map((document) => document.toJS());
    const key = (object: Fragment) => `${object.kind}/${object.metadata.name}`;
    const sortByKey = (list: Fragment[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(canonical(sortByKey(renderings.production()))).toEqual(canonical(sortByKey(fromKubectl)));
  });
});
