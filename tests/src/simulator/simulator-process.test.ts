import { ManagedProcess } from '@dgc/dev-tools/supervision';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/services.js';

const simulatorArgs = ['--conditions=source', '--import', 'tsx', 'packages/discord-simulator/src/main.ts'];

describe('the simulator process', () => {
  it('refuses bad flags with one message listing every problem (exit 2)', async () => {
    const simulator = ManagedProcess.start({
      name: 'simulator',
      cwd: repositoryRoot,
      args: [...simulatorArgs, '--port', 'x', '--shards', '0', '--host', '0.0.0.0', '--mix', 'NOPE=1'],
    });
    expect((await simulator.exited).code).toBe(2);
    const output = simulator.lines.join('\n');
    for (const flag of ['--port', '--shards', '--token', '--host', '--mix'])
      expect(output).toContain(`- ${flag}`);
  });

  it('starts, serves the control API and generates traffic, then stops cleanly on SIGTERM', async () => {
    const simulator = ManagedProcess.start({
      name: 'simulator',
      cwd: repositoryRoot,
      args: [
        ...simulatorArgs,
        '--port',
        '0',
        '--guilds',
        '5',
        '--token',
        'c2ltdWxhdG9y.process.test-token-value',
      ],
      env: { ...process.env, LOG_FORMAT: 'json' },
    });
    const listening = await simulator.waitForLine((line) => line.includes('listening on'), 10_000);
    const restUrl = (JSON.parse(listening) as { rest: string }).rest;
    const base = restUrl.replace(/\/api$/, '');
    const injected = await fetch(`${base}/_simulator/messages`, {
      method: 'POST',
      body: JSON.stringify({ count: 3 }),
    });
    expect(((await injected.json()) as { sent: string[] }).sent).toHaveLength(3);
    const stats = (await (await fetch(`${base}/_simulator/stats`)).json()) as { internalErrors: number };
    expect(stats.internalErrors).toBe(0);
    const bad = await fetch(`${base}/_simulator/messages`, {
      method: 'POST',
      body: JSON.stringify({ count: -1 }),
    });
    expect(bad.status).toBe(400);
    expect((await simulator.stop('SIGTERM', 10_000)).code).toBe(0);
  });
});
