// Downloads Discord's OpenAPI description (discord/discord-api-spec, specs/openapi.json) into
// tests/src/simulator/discord-openapi/openapi.json, which the simulator's conformance test validates against.
import { writeFile } from 'node:fs/promises';

const source = 'https://raw.githubusercontent.com/discord/discord-api-spec/main/specs/openapi.json';
const target = new URL('../tests/src/simulator/discord-openapi/openapi.json', import.meta.url);
const response = await fetch(source, { signal: AbortSignal.timeout(60_000) });
if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
const text = await response.text();
const document = JSON.parse(text);
if (!String(document.openapi).startsWith('3.1'))
  throw new Error(`unexpected OpenAPI version ${document.openapi}`);
if (text.length > 2 * 1024 * 1024)
  console.warn(`${text.length} bytes: over the 2 MiB kept in the repository`);
await writeFile(target, text);
console.log(
  `wrote ${text.length} bytes (OpenAPI ${document.openapi}, ${Object.keys(document.paths).length} paths)`,
);
console.log('record the source commit in tests/src/simulator/discord-openapi/README.md');
