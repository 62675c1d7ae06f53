/**
 * The image's entry point: `node scripts/production/start-role.mjs <role>` starts one process role in this
 * same Node process (an import, not a child process), so the SIGTERM a container runtime or Kubernetes
 * sends reaches the process's own graceful shutdown directly.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
/** Role name → compiled module, relative to the repository (or image) root. */
const productionRoles = JSON.parse(readFileSync(resolve(here, 'production-roles.json'), 'utf8')).roles;
const role = process.argv[2] ?? '';
const entry = Object.hasOwn(productionRoles, role) ? productionRoles[role] : undefined;
if (entry === undefined) {
  process.stderr.write(`usage: start-role.mjs <${Object.keys(productionRoles).join('|')}> (got "${role}")\n`);
  process.exit(64); // EX_USAGE
}
await import(pathToFileURL(resolve(root, entry)).href);
