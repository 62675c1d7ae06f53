import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Settings every package's tests share: workspace packages resolve to their TypeScript sources (the
 * `source` export condition), and every test has a timeout so a deadlock fails instead of hanging.
 */
export const sharedTestConfig = defineConfig({
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    include: ['src/**/*.test.ts'],
  },
});
