import { resolve } from 'node:path';

/** The monorepo root, where scripts and every app's `src/main.ts` are resolved from. */
export const repositoryRoot = resolve(import.meta.dirname, '../../../..');
