import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchApp, type ManagedProcess, startApp } from '@dgc/dev-tools/supervision';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from './support/cluster.js';
import { launchHeadlessChromium } from './support/headless-chromium.js';
import { freePort, repositoryRoot, startService } from './support/services.js';

const clusters: TestCluster[] = [];
const dashboards: ManagedProcess[] = [];
afterAll(async () => {
  await Promise.all(dashboards.map((dashboard) => dashboard.stop('SIGTERM', 10_000)));
  await Promise.all(clusters.map((cluster) => cluster.teardown()));
});

async function startDashboard(env: NodeJS.ProcessEnv): Promise<ManagedProcess> {
  const dashboard = await startApp('dashboard', env, 'dashboard', 30_000);
  dashboards.push(dashboard);
  return dashboard;
}

describe('dashboard', () => {
  it('refuses to start on a non-loopback address without a token', async () => {
    const dashboard = launchApp(
      'dashboard',
      {
        REDIS_KEY_PREFIX: 'test:dashboard-config',
        DASHBOARD_HOST: '0.0.0.0',
        DASHBOARD_PORT: String(await freePort()),
      },
      'dashboard',
    );
    const exit = await dashboard.exited;
    expect(exit.code).toBe(78);
    expect(dashboard.lines.join('\n')).toContain('DASHBOARD_TOKEN');
  });

  it('bound to a non-loopback address, refuses every request without the token', {
    timeout: 60_000,
  }, async () => {
    const token = randomBytes(24).toString('hex');
    const port = await freePort();
    await startDashboard({
      REDIS_KEY_PREFIX: `test:dashboard-auth:${randomBytes(4).toString('hex')}`,
      DASHBOARD_HOST: '0.0.0.0',
      DASHBOARD_PORT: String(port),
      DASHBOARD_TOKEN: token,
    });
    const base = `http://127.0.0.1:${port}`;
    for (const path of ['/', '/api/overview', '/api/events', '/queues/']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(401);
      const wrong = await fetch(`${base}${path}`, {
        headers: { authorization: 'Bearer not-the-token-at-all' },
      });
      expect(wrong.status, path).toBe(401);
      const controller = new AbortController();
      const right = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      expect(right.status, path).toBe(200);
      controller.abort(); // the live stream never ends by itself
    }
    // A browser follows links: ?token= once sets an HttpOnly cookie that works afterwards.
    const first = await fetch(`${base}/?token=${token}`);
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toContain('dgc_dashboard_token=');
    expect((await fetch(`${base}/api/overview`, { headers: { cookie } })).status).toBe(200);
  });

  it('shows live numbers during a load run and a shard dropped by the simulator, and saves a screenshot', {
    timeout: 120_000,
  }, async () => {
    const cluster = await createTestCluster('dashboard-browser', { guildCount: 12 });
    clusters.push(cluster);
    const env = { ...cluster.env, WORKER_BOT_MODULE: 'tests/src/fixtures/flood-bot.ts' };
    cluster.processes.push(await startService('worker', env), await startService('gateway', env));
    const port = await freePort();
    await startDashboard({ ...env, DASHBOARD_PORT: String(port), DASHBOARD_REFRESH_MS: '500' });
    const traffic = cluster.simulator.startTraffic({ eventsPerSecond: 200, mix: { MESSAGE_CREATE: 1 } });
    const profile = await mkdtemp(join(tmpdir(), 'dgc-chromium-'));
    const browser = await launchHeadlessChromium(profile);
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      // Expressions run in the page (strings: this test's TypeScript has no DOM types).
      await page.waitForFunction("document.getElementById('status')?.textContent?.startsWith('live')", null, {
        timeout: 15_000,
      });
      // Live numbers: events/s becomes positive, then changes again without a reload.
      const eventsPerSecond = () => page.locator('#events-per-second').textContent();
      await page.waitForFunction(
        "Number(document.getElementById('events-per-second')?.textContent?.replace(/,/g, '')) > 0",
        null,
        { timeout: 20_000 },
      );
      const shown = await eventsPerSecond();
      await page.waitForFunction(
        `document.getElementById('events-per-second')?.textContent !== ${JSON.stringify(shown)}`,
        null,
        { timeout: 20_000 },
      );
      await page.waitForSelector('[data-shard="0"][data-state="running"]', { timeout: 20_000 });

      // The simulator drops shard 0 with a close code it does not come back from (4004).
      cluster.simulator.faults.dropConnection(0, { code: 4004 });
      await page.waitForSelector('[data-shard="0"]:not([data-state="running"])', { timeout: 20_000 });
      const screenshot = resolve(repositoryRoot, 'tests/artifacts/dashboard.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    } finally {
      traffic.stop();
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    }
  });
});
