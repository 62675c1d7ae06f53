import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dashboardEnvShape } from '@dgc/dashboard';
import { gatewayEnvSchema } from '@dgc/gateway';
import { schedulerEnvSchema } from '@dgc/scheduler';
import { envDocs, envShapeOf } from '@dgc/shared';
import { workerEnvSchema } from '@dgc/worker';
import { describe, expect, it } from 'vitest';
import { processConfigs, unvalidatedVariables } from '../../scripts/config-docs/config-catalogue.js';
import { renderedConfigDocs } from '../../scripts/config-docs/rendered-config-docs.js';
import { repositoryRoot } from './support/services.js';

const read = (file: string) => readFileSync(resolve(repositoryRoot, file), 'utf8');
const fix = 'they differ from the zod schemas: run `npm run config:docs` and commit the result';
/** Compared line by line, so a failure shows the lines that drifted rather than two truncated strings. */
const lines = (text: string) => text.split('\n');

describe('.env.example', () => {
  it('documents every variable a process reads', () => {
    const documented = new Set(
      read('.env.example')
        .split('\n')
        .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
        .filter((name) => name !== undefined),
    );
    const readByProcesses = new Set([
      ...Object.keys(gatewayEnvSchema.shape),
      ...Object.keys(workerEnvSchema.shape),
      ...Object.keys(schedulerEnvSchema.shape),
      ...Object.keys(dashboardEnvShape),
      ...processConfigs.flatMap((process) => Object.keys(envShapeOf(process.schema))),
    ]);
    expect([...readByProcesses].filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe('generated configuration docs', () => {
  it('.env.example is what the schemas generate', () => {
    expect(lines(read('.env.example')), fix).toEqual(lines(renderedConfigDocs(read('README.md')).envExample));
  });

  it("the README's configuration table is what the schemas generate", () => {
    const readme = read('README.md');
    expect(lines(readme), fix).toEqual(lines(renderedConfigDocs(readme).readme));
  });

  it('drift in a description is caught', () => {
    // The check above compares against the schemas' metadata, not a copy of the files: edit one
    // description in memory and both files stop matching.
    const schema = gatewayEnvSchema.shape.GATEWAY_COMPRESSION;
    const doc = envDocs.get(schema);
    if (!doc) throw new Error('GATEWAY_COMPRESSION has no docs');
    envDocs.add(schema, { ...doc, description: 'A description nobody generated the files from.' });
    try {
      const readme = read('README.md');
      const rendered = renderedConfigDocs(readme);
      expect(rendered.envExample).not.toBe(read('.env.example'));
      expect(rendered.readme).not.toBe(readme);
    } finally {
      envDocs.add(schema, doc);
    }
  });

  it('no secret appears with a value', () => {
    const envExample = read('.env.example');
    for (const name of ['DISCORD_TOKEN', 'DASHBOARD_TOKEN', 'DISCORD_SIMULATOR_TOKEN']) {
      expect(envExample).toContain(`\n${name}=\n`);
    }
    // URLs in the docs carry no credentials.
    expect(envExample).not.toMatch(/:\/\/[^/\s@]+:[^/\s@]+@/);
  });
});

/** Source files of the repository, without dependencies, build output and generated code. */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      return ['node_modules', 'dist', 'generated'].includes(entry.name) ? [] : sourceFiles(path);
    }
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

describe('environment reads', () => {
  it('every process.env variable read in the sources is in a schema or listed as a test or bench knob', () => {
    const inSchemas = new Set(processConfigs.flatMap((process) => Object.keys(envShapeOf(process.schema))));
    const listed = new Set(unvalidatedVariables.map((variable) => variable.name));
    const unknown = new Set<string>();
    for (const root of ['apps', 'packages', 'scripts', 'bench', 'tests']) {
      for (const file of sourceFiles(resolve(repositoryRoot, root))) {
        for (const match of readFileSync(file, 'utf8').matchAll(
          /process\.env(?:\.([A-Z_][A-Z0-9_]*)|\[['"]([A-Z_][A-Z0-9_]*)['"]\])/g,
        )) {
          const name = (match[1] ?? match[2]) as string;
          if (!inSchemas.has(name) && !listed.has(name)) unknown.add(`${name} (${file})`);
        }
      }
    }
    expect([...unknown]).toEqual([]);
  });
});
