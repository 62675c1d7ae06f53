/**
 * Writes base/prometheus-rule.yaml from infra/prometheus/alerts.yml, the one source of the alert rules:
 *   node infra/k8s/generate-prometheus-rule.mjs
 * tests/src/infra/k8s-manifests.test.ts fails when the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const alerts = parse(readFileSync(resolve(here, '../prometheus/alerts.yml'), 'utf8'));
const rule = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'dgc-alerts', labels: { 'app.kubernetes.io/part-of': 'dgc' } },
  spec: { groups: alerts.groups },
};
const header =
  '# Generated from infra/prometheus/alerts.yml by infra/k8s/generate-prometheus-rule.mjs: edit those.\n';
writeFileSync(resolve(here, 'base/prometheus-rule.yaml'), header + stringify(rule, { lineWidth: 0 }));
