import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port.js';
import { ManagedProcess } from './managed-process.js';
import { waitUntilReady } from './readiness.js';

/** A child serving /readyz: 503 for its first `unreadyAnswers` requests, 200 after. */
function probeServer(port: number, unreadyAnswers: number): ManagedProcess {
  const script = `
    let answers = 0;
    require('node:http').createServer((request, response) => {
      answers += 1;
      response.writeHead(answers > ${unreadyAnswers} ? 200 : 503).end('{"failing":["shards"]}');
    }).listen(${port}, '127.0.0.1');`;
  return ManagedProcess.start({ name: 'probe-server', args: ['-e', script] });
}

const started: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((service) => service.stop('SIGKILL', 5_000)));
});

describe('waitUntilReady', () => {
  it('resolves once /readyz answers 200, polling through refusals and 503s', async () => {
    const port = await freePort();
    const service = probeServer(port, 3);
    started.push(service);
    await expect(waitUntilReady(service, `http://127.0.0.1:${port}/readyz`, 10_000)).resolves.toBe(service);
    expect(service.exitStatus).toBeUndefined();
  });

  it('rejects with the last answer when the process is not ready in time, and leaves it running', async () => {
    const port = await freePort();
    const service = probeServer(port, Number.MAX_SAFE_INTEGER);
    started.push(service);
    await expect(waitUntilReady(service, `http://127.0.0.1:${port}/readyz`, 1_000)).rejects.toThrow(
      /probe-server did not become ready .*503 \{"failing":\["shards"\]\}/,
    );
    expect(service.exitStatus).toBeUndefined();
  });

  it('rejects as soon as the process exits', async () => {
    const service = ManagedProcess.start({
      name: 'crashing',
      args: ['-e', 'console.error("bad configuration"); process.exit(78)'],
    });
    started.push(service);
    const error = await waitUntilReady(service, 'http://127.0.0.1:9/readyz', 30_000).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('crashing did not become ready');
    expect(String((error as Error).cause)).toContain('exited (code 78');
  });

  it("with 'any-answer', a server that answers at all is ready", async () => {
    const port = await freePort();
    const service = probeServer(port, Number.MAX_SAFE_INTEGER);
    started.push(service);
    await expect(waitUntilReady(service, `http://127.0.0.1:${port}/`, 10_000, 'any-answer')).resolves.toBe(
      service,
    );
  });
});
