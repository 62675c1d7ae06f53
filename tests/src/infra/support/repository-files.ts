import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository root (this file is tests/src/infra/support/). */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export function repositoryPath(...parts: string[]): string {
  return resolve(repositoryRoot, ...parts);
}

export function readRepositoryFile(...parts: string[]): string {
  return readFileSync(repositoryPath(...parts), 'utf8');
}

/** Every document of a YAML file (`---` separated), anchors and `<<` merge keys resolved. */
export function parseYamlFile(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8'), { merge: true }).map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
    return document.toJS({ maxAliasCount: 1000 }) as unknown;
  });
}

/** `KEY=value` lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) entries[match[1]] = match[2] ?? '';
  }
  return entries;
}
