import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  autoscalingProblems,
  byKind,
  type Fragment,
  manifestProblems,
  podWorkloads,
  selects,
} from './support/k8s-rules.js';
import { canonical, type ManifestObject, renderKustomization } from './support/kustomize.js';
import { probeStatuses } from './support/process-roles.js';
import { parseYamlFile, repositoryPath } from './support/repository-files.js';

const baseDirectory = repositoryPath('infra/k8s/base');
const productionDirectory = repositoryPath('infra/k8s/overlays/production');
const renderings = {
  base: () => renderKustomization(baseDirectory),
  production: () => renderKustomization(productionDirectory),
};

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
