/**
 * Every process and tool of the repository with the zod schema it reads its environment through: the one
 * source `.env.example` and the README's configuration table are generated from.
 */

import { cliEnvSchema } from '@dgc/cli';
import { dashboardEnvSchema } from '@dgc/dashboard';
import { simulatorEnvSchema } from '@dgc/discord-simulator/env';
import { gatewayEnvSchema } from '@dgc/gateway';
import { moderationBotEnvSchema } from '@dgc/moderation-bot/settings';
import { schedulerEnvSchema } from '@dgc/scheduler';
import { developmentEnvSchema } from '@dgc/shared';
import type { ProcessConfig, UnvalidatedVariable } from '@dgc/shared/config-docs';
import { migrationToolEnvSchema } from '@dgc/shared/db';
import { workerEnvSchema } from '@dgc/worker';
import { localClusterEnvSchema } from '../local-cluster-env.js';

export const processConfigs: readonly ProcessConfig[] = [
  { name: 'gateway', schema: gatewayEnvSchema },
  { name: 'worker', schema: workerEnvSchema },
  { name: 'scheduler', schema: schedulerEnvSchema },
  { name: 'the moderation bot (in workers and schedulers)', schema: moderationBotEnvSchema },
  { name: 'dashboard', schema: dashboardEnvSchema },
  { name: '`npm run cluster`', schema: cliEnvSchema },
  { name: '`npm start`', schema: localClusterEnvSchema },
  { name: 'the simulator', schema: simulatorEnvSchema },
  { name: '`npm run db:*`', schema: migrationToolEnvSchema },
  { name: 'tests and bench', schema: developmentEnvSchema },
];

/**
 * Knobs of the test suites and the bench, read where they are used rather than through a schema: none is
 * read by a process of the cluster. A test checks that every variable the sources read from process.env is in
 * a schema above or listed here.
 */
export const unvalidatedVariables: readonly UnvalidatedVariable[] = [
  {
    name: 'TEST_SHOW_PROCESS_LOGS',
    readBy: 'tests/src/support',
    description: 'Set: end-to-end tests print the log lines of the processes they start.',
  },
  {
    name: 'ORDERING_TEST_GUILDS',
    readBy: 'tests/src/load/per-guild-ordering.test.ts',
    description: 'Guilds of the per-guild ordering load test (default 100).',
  },
  {
    name: 'ORDERING_TEST_EVENTS_PER_GUILD',
    readBy: 'tests/src/load/per-guild-ordering.test.ts',
    description: 'Events per guild of the per-guild ordering load test (default 1000).',
  },
  {
    name: 'RUN_LEDGER_FILE',
    readBy: 'tests/src/fixtures/run-ledger-bot.ts',
    description:
      "The file the Redis failure tests' bot appends each MESSAGE_CREATE handler run to (set by those tests).",
  },
  {
    name: 'FLOOD_DEBUG',
    readBy: 'tests/src/load/flood-keeps-interactions-fast.test.ts',
    description: 'Set: the flood test prints the order interactions were answered in.',
  },
  {
    name: 'FIXTURE_REASON_MAX_LENGTH',
    readBy: 'tests/src/fixtures/commands-bot.ts',
    description:
      "The command-registration test's bot: max length of /warn's reason (changes its command set).",
  },
  {
    name: 'FIXTURE_GUILD_ID',
    readBy: 'tests/src/fixtures/jobs-bot.ts',
    description: "The scheduler tests' bot: a guild its cache-read job reads through the state cache.",
  },
  {
    name: 'FIXTURE_PERIOD_MS',
    readBy: 'tests/src/fixtures/slow-periodic-bot.ts',
    description: "The scheduler kill test's bot: its slow periodic job's interval (default 3000).",
  },
  {
    name: 'FIXTURE_WORK_MS',
    readBy: 'tests/src/fixtures/slow-periodic-bot.ts',
    description:
      "The scheduler kill test's bot: how long each run of its slow periodic job works (default 2500).",
  },
  {
    name: 'CHAOS_PG_OUTAGE_MS',
    readBy: 'tests/src/chaos/postgres-outage.test.ts',
    description:
      'How long the PostgreSQL outage test stops its server (default 20000; the pg-outage bench sets 120000).',
  },
  {
    name: 'CHAOS_PG_EVENTS_PER_SECOND',
    readBy: 'tests/src/chaos/postgres-outage.test.ts',
    description:
      'MESSAGE_CREATE/s offered during the PostgreSQL outage test (default 250; the pg-outage bench sets 1000).',
  },
  {
    name: 'BENCH_PG_OUTAGE_SECONDS',
    readBy: 'bench',
    description: 'Length (s) of the PostgreSQL outage in the pg-outage bench scenario (default 120).',
  },
  {
    name: 'BENCH_PG_OUTAGE_RATE',
    readBy: 'bench',
    description: 'MESSAGE_CREATE/s offered in the pg-outage bench scenario (default 1000).',
  },
  {
    name: 'BENCH_TRACE_FILE',
    readBy: 'bench',
    description:
      'With bench/src/one-cache-memory.ts: a file that takes the process’s other output (its logs, `--trace-gc-nvp` lines), so stdout holds only the JSON result.',
  },
  {
    name: 'NODE_OPTIONS',
    readBy: 'bench',
    description:
      "Node's own: the bench's memory probe adds its `--import` to what it already holds, for the processes it measures.",
  },
  {
    name: 'BENCH_SOAK_SECONDS',
    readBy: 'bench',
    description: 'Length (s) of the soak bench scenario (default 600).',
  },
  {
    name: 'BENCH_SOAK_RATE',
    readBy: 'bench',
    description: 'MESSAGE_CREATE/s offered in the soak bench scenario (default 5000).',
  },
  {
    name: 'BENCH_SOAK_RESTART_SECONDS',
    readBy: 'bench',
    description: 'Seconds between worker restarts in the soak bench scenario (default 60).',
  },
  {
    name: 'BENCH_RESHARD_RATE',
    readBy: 'bench',
    description:
      'MESSAGE_CREATE/s offered in the reshard bench scenario, baseline and reshard alike (default 1000).',
  },
  {
    name: 'BENCH_RESHARD_BASELINE_SECONDS',
    readBy: 'bench',
    description:
      "Length (s) of the reshard bench scenario's baseline: the same flow without a reshard (default 15).",
  },
  {
    name: 'BENCH_REST_SECONDS',
    readBy: 'bench',
    description: 'Duration (s) of the REST bench scenario (default 15).',
  },
  {
    name: 'BENCH_E2E_EVENTS',
    readBy: 'bench',
    description: 'Events of the live end-to-end bench scenario (default 150000).',
  },
  {
    name: 'BENCH_E2E_BACKLOG',
    readBy: 'bench',
    description: 'Events in the backlog the end-to-end bench scenario drains (default 120000).',
  },
  {
    name: 'BENCH_E2E_RATE',
    readBy: 'bench',
    description: 'Offered rate (events/s) of the live end-to-end bench scenario (default 50000).',
  },
  {
    name: 'DGC_GC_WATCH_DIR',
    readBy: 'bench/tools/gc-watch.mjs',
    description: "Directory where the gc-watch preload writes each process's garbage-collection samples.",
  },
  {
    name: 'BENCH_CHILD_RESULT_FILE',
    readBy: 'bench',
    description:
      'Set by the bench for a scenario it runs in a child process: where the child writes its result.',
  },
  {
    name: 'BASELINE',
    readBy: 'bench baselines',
    description: 'Set by the bench: which baseline (naive or brokers) a baseline process runs.',
  },
  {
    name: 'BASELINE_CONCURRENCY',
    readBy: 'bench baselines',
    description: 'Jobs a baseline worker runs at once (default 50).',
  },
  {
    name: 'PRISMA_SCHEMA_ENGINE_BINARY',
    readBy: 'packages/shared/scripts/prisma-generate.mjs',
    description:
      "Prisma's schema engine for `prisma generate` (default: this Node binary, which runs the WASM engine).",
  },
  {
    name: 'INIT_CWD',
    readBy: 'apps/worker/src/migrate-main.ts',
    description:
      'Set by npm: the folder npm was invoked from, against which `npm run db:migrate` resolves a relative WORKER_BOT_MODULE.',
  },
];
