/**
 * The dependency graph's rules, checked by `npm run lint` (`depcruise`): no import cycle anywhere, and
 * production code (the apps and packages that run in a deployment) never reaches development code — the
 * Discord simulator, the development tools, the test runner, the TypeScript loader, tests or benchmarks.
 *
 * Prisma's generated clients are left out: their cycles are the generator's, not ours.
 *
 * Workspace packages are followed into their TypeScript sources through the `source` export condition, the
 * way tsx and vitest resolve them, so an import of `@dgc/shared` lands on packages/shared/src and a cycle
 * or forbidden import across packages is seen.
 */

/**
 * Code that ships: apps, packages and example bots (a bot runs inside the workers), without their tests and
 * without the two development-only packages.
 */
const production = {
  path: '^(apps|packages|examples)/[^/]+/src/',
  pathNot: ['\\.test\\.ts$', '^packages/(discord-simulator|dev-tools)/'],
};

/** Code that only development, tests and benchmarks may use. */
const developmentOnly = [
  '^packages/discord-simulator/',
  '^packages/dev-tools/',
  '^tests/',
  '^bench/',
  '^scripts/',
  '(^|/)node_modules/(vitest|@vitest/[^/]+|tsx|typescript|vite)/',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-import-cycle',
      severity: 'error',
      comment:
        'A cycle makes the path through the code run back and forth: move what both sides need to a module of its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'production-reaches-development-code',
      severity: 'error',
      comment:
        'Production code must not import the simulator, @dgc/dev-tools, vitest, tsx, tests or benchmarks: they are not installed in a deployment.',
      from: production,
      to: { path: developmentOnly },
    },
    {
      name: 'production-imports-a-dev-dependency',
      severity: 'error',
      comment:
        'A package imported by production code must be in its package.json "dependencies": devDependencies are not installed in a deployment.',
      from: production,
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'production-imports-an-undeclared-package',
      severity: 'error',
      comment:
        'A package imported by production code must be in its own package.json "dependencies", not only found hoisted in node_modules.',
      from: production,
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'unresolvable-import',
      severity: 'error',
      comment: 'An import the checker cannot resolve is an import it cannot check.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build output and Prisma's generated client of the workspace packages (not node_modules' dist folders:
    // excluding those would hide an import of vitest or tsx).
    exclude: { path: ['^(apps|packages|examples)/[^/]+/(dist|src/generated)/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
