/**
 * `npm run config:docs`: writes `.env.example` and the README's configuration table from the zod schemas.
 * `npm run config:docs -- --check` only compares, and exits 1 naming the files that differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderedConfigDocs } from './rendered-config-docs.js';

const root = resolve(import.meta.dirname, '../..');
const check = process.argv.includes('--check');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const rendered = renderedConfigDocs(readme);
const stale: string[] = [];
for (const [file, text] of [
  ['.env.example', rendered.envExample],
  ['README.md', rendered.readme],
] as const) {
  const path = resolve(root, file);
  if (readFileSync(path, 'utf8') === text) continue;
  stale.push(file);
  if (!check) writeFileSync(path, text);
}
if (check && stale.length > 0) {
  console.error(`${stale.join(' and ')} differ from the configuration schemas: run npm run config:docs`);
  process.exit(1);
}
console.log(stale.length === 0 ? 'configuration docs are up to date' : `wrote ${stale.join(' and ')}`);
