import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { type AppKind, launchApp, type ManagedProcess, waitUntilReady } from '@dgc/dev-tools/supervision';
import { adminDatabaseUrl, databaseUrlOn } from '@dgc/shared/db';
import { type StarterBotClient as PrismaClient, starterBotDatabase } from '@dgc/starter-bot/database';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, type TestCluster } from '../support/cluster.js';
import { TestRedisServer } from '../support/redis-server.js';
import { freePort, repositoryRoot, simulatorToken } from '../support/services.js';

const redisPassword = `redis-pw-${randomBytes(12).toString('hex')}`;
const postgresPassword = `pg-pw-${randomBytes(12).toString('hex')}`;
const postgresRole = `dgc_secrets_${randomBytes(4).toString('hex')}`;
const run = promisify(execFile);
const pings = 20;
const messages = 200;

/** Runs statements on the shared server as its administrator (against `database`, default the admin's). */
async function asAdmin(statements: readonly string[], database?: string): Promise<void> {
  const url = database ? databaseUrlOn(adminDatabaseUrl(), database) : adminDatabaseUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A process of the cluster with every line it wrote, from its first (its own buffer keeps the last). */
interface ObservedProcess {
  process: ManagedProcess;
  lines: string[];
  metricsUrl: string;
}

describe('secrets nowhere: a whole cluster run with passwords in its URLs', () => {
  let cluster: TestCluster;
  let redis: TestRedisServer;
  let prisma: PrismaClient;
  let dashboardUrl: string;
  /** What every process of the cluster (and the CLI) runs with. */
  let env: NodeJS.ProcessEnv;
  const observed: ObservedProcess[] = [];

  async function start(kind: AppKind, env: NodeJS.ProcessEnv): Promise<ObservedProcess> {
    const lines: string[] = [];
    const metricsPort = await freePort();
    const process = launchApp(kind, { ...env, METRICS_PORT: String(metricsPort) }, kind, (line) =>
      lines.push(line),
    );
    cluster.processes.push(process);
    const started = { process, lines, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
    observed.push(started);
    await waitUntilReady(process, `http://127.0.0.1:${metricsPort}/readyz`, 30_000);
    return started;
  }

  beforeAll(async () => {
    [cluster, redis] = await Promise.all([
      createTestCluster('secrets-nowhere', { guildCount: 6 }),
      TestRedisServer.start({ password: redisPassword }),
    ]);
    // A role with a password on the shared server (trust auth accepts any: what matters is that the
    // string is in DATABASE_URL and must never be printed).
    const database = decodeURIComponent(new URL(cluster.databaseUrl).pathname.slice(1));
    await asAdmin([`create role ${postgresRole} login password '${postgresPassword}'`]);
    // The runtime's tables and the example bot's own schema.
    await asAdmin(
      ['public', 'starter_bot'].flatMap((schema) => [
        `grant all on schema ${schema} to ${postgresRole}`,
        `grant all on all tables in schema ${schema} to ${postgresRole}`,
        `grant all on all sequences in schema ${schema} to ${postgresRole}`,
      ]),
      database,
    );
    const databaseUrl = new URL(cluster.databaseUrl);
    databaseUrl.username = postgresRole;
    databaseUrl.password = postgresPassword;
    prisma = starterBotDatabase.connect({
      pool: {
        connectionString: cluster.databaseUrl,
        max: 2,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 1_000,
      },
    });

    const dashboardPort = await freePort();
    dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
    env = {
      ...cluster.env,
      REDIS_URL: redis.url,
      DATABASE_URL: databaseUrl.toString(),
      DASHBOARD_PORT: String(dashboardPort),
    };
    await start('worker', env);
    await start('gateway', env);
    await start('scheduler', env);
    await start('dashboard', env);
  }, 120_000);

  afterAll(async () => {
    await prisma?.$disconnect();
    await cluster?.teardown();
    await redis?.stop();
    await asAdmin([`drop role if exists ${postgresRole}`]).catch(() => {});
  });

  it('no log line, /metrics, dashboard API, Bull Board API or CLI output shows the bot token, an interaction token or a password; Bull Board masks tokens', {
    timeout: 120_000,
  }, async () => {
    const { simulator } = cluster;
    // A fault on the way: the first callbacks fail with 500s, so error paths (which quote URLs) log too.
    simulator.faults.addRestFault({
      pathPrefix: '/interactions/',
      kind: 'serverError',
      status: 500,
      count: 3,
    });
    const interactions = Array.from({ length: pings }, () =>
      simulator.injectInteraction({ commandName: 'ping' }),
    );
    simulator.injectMessageCreates(messages);
    // Malformed interactions carry tokens too: one the gateway parks (over the size limit; its preview is
    // readable in the CLI and the dashboard), one a worker refuses into the failed set (Bull Board, `failed`).
    const parkedToken = `aW50ZXJhY3Rpb246parked${randomBytes(24).toString('base64url')}`;
    const refusedToken = `aW50ZXJhY3Rpb246refused${randomBytes(24).toString('base64url')}`;
    simulator.faults.sendMalformedDispatch(
      0,
      'INTERACTION_CREATE',
      JSON.stringify({ token: parkedToken, id: '1400000000000000009', padding: 'x'.repeat(1_100_000) }),
    );
    simulator.faults.sendMalformedDispatch(
      0,
      'INTERACTION_CREATE',
      JSON.stringify({ token: refusedToken, id: '1400000000000000010', type: 'not a number' }),
    );
    // Each answered in the end (the REST client retries the 500s).
    const answered = () =>
      interactions.filter((interaction) =>
        simulator.restCalls.some(
          (call) => call.route === `/interactions/${interaction.id}/:token/callback` && call.status === 204,
        ),
      ).length;
    await expect.poll(answered, { timeout: 30_000, interval: 250 }).toBe(pings);
    await expect
      .poll(
        async () =>
          (await prisma.memberActivity.aggregate({ _sum: { messageCount: true } }))._sum.messageCount,
        { timeout: 30_000, interval: 250 },
      )
      .toBe(messages);

    // The refused interaction reaches the failed set (read through the dashboard: Redis is the test's own).
    const failedJobs = async () => {
      const overview = (await (await fetch(`${dashboardUrl}/api/overview`)).json()) as {
        lanes: { failed: number }[];
      };
      return overview.lanes.reduce((sum, lane) => sum + lane.failed, 0);
    };
    await expect.poll(failedJobs, { timeout: 20_000, interval: 250 }).toBe(1);

    // Everything an operator or a scraper can read.
    const sources = new Map<string, string>();
    const parked = await (await fetch(`${dashboardUrl}/api/parked`)).text();
    expect(parked).toContain('"reason":"oversized"');
    sources.set('dashboard /api/parked', parked);
    for (const command of [['parked'], ['failed'], ['status'], ['lanes']]) {
      const { stdout } = await run(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'apps/cli/src/main.ts', ...command, '--json'],
        { cwd: repositoryRoot, env: { ...process.env, ...env } },
      );
      sources.set(`CLI ${command.join(' ')}`, stdout);
    }
    expect(sources.get('CLI failed')).toMatch(/invalid event payload/);
    for (const { process, lines, metricsUrl } of observed) {
      sources.set(`${process.name} log`, lines.join('\n'));
      sources.set(`${process.name} /metrics`, await (await fetch(metricsUrl)).text());
    }
    sources.set('dashboard /api/overview', await (await fetch(`${dashboardUrl}/api/overview`)).text());
    sources.set(
      'Bull Board redis stats',
      await (await fetch(`${dashboardUrl}/queues/api/redis/stats`)).text(),
    );
    const board = (await (await fetch(`${dashboardUrl}/queues/api/queues`)).json()) as {
      queues: { name: string }[];
    };
    expect(board.queues.length).toBeGreaterThan(0);
    for (const { name } of board.queues) {
      for (const status of ['latest', 'completed', 'failed', 'waiting', 'delayed', 'active']) {
        const query = new URLSearchParams({ activeQueue: name, status, page: '1', jobsPerPage: '100' });
        const text = await (await fetch(`${dashboardUrl}/queues/api/queues?${query}`)).text();
        sources.set(`Bull Board ${name} ${status}`, text);
      }
    }

    const secrets = new Map<string, string>([
      ['the bot token', simulatorToken],
      ['the Redis password', redisPassword],
      ['the PostgreSQL password', postgresPassword],
      ...interactions.map((interaction, index): [string, string] => [
        `interaction token ${index}`,
        interaction.token,
      ]),
      ['the parked interaction token', parkedToken],
      ['the refused interaction token', refusedToken],
    ]);
    const leaks: string[] = [];
    for (const [source, text] of sources) {
      for (const [label, secret] of secrets) if (text.includes(secret)) leaks.push(`${label} in ${source}`);
    }
    expect(leaks).toEqual([]);

    // The board shows the interactions' jobs, each with its token masked.
    const completedInteractions = [...sources]
      .filter(([source]) => source.includes('interactions completed'))
      .map(([, text]) => text)
      .join('\n');
    const masked = completedInteractions.match(/"token":"\*\*\*"/g) ?? [];
    expect(masked.length).toBeGreaterThanOrEqual(pings);
  });
});
