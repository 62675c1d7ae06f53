// Generates a Prisma client without network access: this package's (no argument), or the one of the
// schema file given as the argument (relative to the working directory), e.g. a bot's own schema. The Prisma CLI downloads its native schema engine
// before any command, even though `generate` never uses it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any
// existing file skips that download.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [schemaArgument] = process.argv.slice(2);
const schemaPath = schemaArgument ? resolve(schemaArgument) : resolve(packageDir, 'prisma/schema.prisma');
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], {
  cwd: dirname(dirname(schemaPath)),
  encoding: 'utf8',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
if (result.status !== 0) {
  process.stderr.write(result.stdout + result.stderr);
  process.stderr.write('prisma generate failed\n');
  process.exit(result.status ?? 1);
}
process.stdout.write(`Prisma client generated for ${schemaPath}\n`);
