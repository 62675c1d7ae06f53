import { type EndToEndPath, runEndToEnd } from './e2e-scenario.js';

const path = (process.argv[2] ?? 'project') as EndToEndPath;
const consumers = Number(process.argv[3] ?? 2);
const result = await runEndToEnd(path, consumers);
console.log(JSON.stringify(result));
process.exit(0);
