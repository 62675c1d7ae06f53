import { accessSync, constants, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintDockerfile, parseDockerfile } from './support/dockerfile-lint.js';
import { productionRoles } from './support/process-roles.js';
import { readRepositoryFile, repositoryPath } from './support/repository-files.js';

// There is no Docker engine on these machines: the image is checked statically, and the build it runs is
// the script the compiled-build test runs.
const dockerfile = readRepositoryFile('Dockerfile');
const instructions = parseDockerfile(dockerfile);
const buildScript = 'scripts/production/build-production.sh';

describe('Dockerfile', () => {
  it('passes the lint: multi-stage, pinned Node 20 base, non-root, no secrets in layers, exec form', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('the lint catches each rule it enforces', () => {
    const broken = (from: string, to: string) => {
      expect(dockerfile).toContain(from);
      return lintDockerfile(dockerfile.replace(from, to));
    };
    expect(broken('FROM node:20.20.2-bookworm-slim AS runtime', 'FROM node:latest AS runtime')).toEqual([
      expect.stringContaining('not pinned'),
    ]);
    expect(broken('FROM node:20.20.2-bookworm-slim AS build', 'FROM node AS build')).toEqual([
      expect.stringContaining('no version tag'),
    ]);
    expect(broken('USER 1000:1000', 'USER root')).toEqual(['the final stage runs as root']);
    expect(broken('USER 1000:1000', '')).toEqual(['the final stage sets no USER: it would run as root']);
    expect(broken('ENV NODE_ENV=production', 'ENV NODE_ENV=production DISCORD_TOKEN=x')).toEqual([
      expect.stringContaining('DISCORD_TOKEN would store a secret'),
    ]);
    expect(broken('ENV NODE_ENV=production', 'ARG DASHBOARD_TOKEN')).toEqual([
      expect.stringContaining('DASHBOARD_TOKEN would store a secret'),
    ]);
    expect(broken('CMD ["gateway"]', 'CMD gateway')).toEqual([
      expect.stringContaining('CMD is not in exec form'),
    ]);
    expect(
      broken(
        'ENTRYPOINT ["node", "scripts/production/start-role.mjs"]',
        'ENTRYPOINT ["sh", "-c", "node scripts/production/start-role.mjs"]',
      ),
    ).toEqual([expect.stringContaining('ENTRYPOINT runs a shell')]);
    const singleStage = dockerfile.slice(dockerfile.indexOf('FROM node:20.20.2-bookworm-slim AS runtime'));
    expect(lintDockerfile(singleStage)).toContain(
      'not multi-stage: expected a build stage and a runtime stage',
    );
  });

  it('builds with the shared production build script and ships only the staged runtime', () => {
    const runs = instructions
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((run) => run.arguments);
    expect(runs.some((run) => /\bnpm ci\b/.test(run))).toBe(true);
    expect(runs.some((run) => run.includes(`${buildScript} /runtime`))).toBe(true);
    accessSync(repositoryPath(buildScript), constants.X_OK);
    const finalStage = instructions.slice(
      instructions.findLastIndex((instruction) => instruction.keyword === 'FROM') + 1,
    );
    // The runtime stage installs nothing itself: production dependencies come staged from the build stage.
    expect(finalStage.filter((instruction) => instruction.keyword === 'RUN')).toEqual([]);
    expect(
      finalStage.filter((instruction) => instruction.keyword === 'COPY').map((copy) => copy.arguments),
    ).toEqual(['--from=build /runtime/ ./']);
  });

  it('starts the role its command names, with a launcher the image contains', () => {
    const entrypoint = JSON.parse(
      instructions.findLast((i) => i.keyword === 'ENTRYPOINT')?.arguments ?? '[]',
    );
    const command = JSON.parse(instructions.findLast((i) => i.keyword === 'CMD')?.arguments ?? '[]');
    expect(entrypoint).toEqual(['node', 'scripts/production/start-role.mjs']);
    expect(existsSync(repositoryPath(entrypoint[1]))).toBe(true);
    expect(Object.keys(productionRoles)).toEqual(expect.arrayContaining(command));
    expect(Object.keys(productionRoles).sort()).toEqual([
      'dashboard',
      'gateway',
      'migrate',
      'scheduler',
      'worker',
    ]);
  });

  it('.dockerignore keeps local secrets, dependencies and build output out of the build context', () => {
    const ignored = readRepositoryFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', '**/node_modules', '**/dist', '.git']));
  });
});
