import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from '@discordjs/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachmentReadError, readAttachmentText } from './attachment-text.js';

/** A stand-in CDN on a local port: each path answers as its name says. */
describe('readAttachmentText', () => {
  let server: Server;
  let cdn: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const path = new URL(request.url ?? '/', 'http://cdn').pathname;
      if (path.endsWith('/ids.txt'))
        response.writeHead(200, { 'content-type': 'text/plain' }).end('\uFEFF1 2 3');
      else if (path.endsWith('/big.txt')) response.writeHead(200).end('x'.repeat(2_000));
      else if (path.endsWith('/chunked.txt')) {
        // No content-length: the cap is enforced while reading.
        response.writeHead(200);
        for (let chunk = 0; chunk < 20; chunk += 1) response.write('y'.repeat(100));
        response.end();
      } else if (path.endsWith('/latin1.txt')) response.writeHead(200).end(Buffer.from([0x66, 0xe9, 0x65]));
      else if (path.endsWith('/slow.txt')) setTimeout(() => response.writeHead(200).end('late'), 2_000);
      else if (path.endsWith('/moved.txt'))
        response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cdn = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cdn`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const context = (signal = new AbortController().signal) => ({ rest: new REST({ cdn }), signal });
  const file = (name: string, size = 10) => ({
    url: `${cdn}/attachments/1/2/${name}?ex=1`,
    size,
    filename: name,
  });
  const limits = { maxBytes: 1_000, timeoutMs: 500 };
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'read',
      (error: unknown) => (error instanceof AttachmentReadError ? error.failure : error),
    );

  it('reads a file under the CDN as text, without its byte-order mark', async () => {
    await expect(readAttachmentText(context(), file('ids.txt'), limits)).resolves.toBe('1 2 3');
  });

  it('refuses a URL outside the configured CDN without fetching it', async () => {
    const before = requests.length;
    const elsewhere = { ...file('ids.txt'), url: cdn.replace('/cdn', '/other/ids.txt') };
    await expect(failureOf(readAttachmentText(context(), elsewhere, limits))).resolves.toBe('not-from-cdn');
    const otherHost = { ...file('ids.txt'), url: 'http://example.invalid/cdn/ids.txt' };
    await expect(failureOf(readAttachmentText(context(), otherHost, limits))).resolves.toBe('not-from-cdn');
    expect(requests.length).toBe(before);
  });

  it('refuses a file over the cap: by its declared size unfetched, by its length, or while reading', async () => {
    const before = requests.length;
    await expect(failureOf(readAttachmentText(context(), file('ids.txt', 5_000), limits))).resolves.toBe(
      'too-large',
    );
    expect(requests.length).toBe(before);
    await expect(failureOf(readAttachmentText(context(), file('big.txt'), limits))).resolves.toBe(
      'too-large',
    );
    await expect(failureOf(readAttachmentText(context(), file('chunked.txt'), limits))).resolves.toBe(
      'too-large',
    );
  });

  it('gives up after the timeout, refuses text that is not UTF-8, a redirect and a missing file', async () => {
    await expect(failureOf(readAttachmentText(context(), file('slow.txt'), limits))).resolves.toBe(
      'timed-out',
    );
    await expect(failureOf(readAttachmentText(context(), file('latin1.txt'), limits))).resolves.toBe(
      'not-text',
    );
    await expect(failureOf(readAttachmentText(context(), file('moved.txt'), limits))).resolves.toBe(
      'unavailable',
    );
    await expect(failureOf(readAttachmentText(context(), file('gone.txt'), limits))).resolves.toBe(
      'unavailable',
    );
  });

  it("rethrows the handler's cancellation as is", async () => {
    const controller = new AbortController();
    const read = readAttachmentText(context(controller.signal), file('slow.txt'), {
      ...limits,
      timeoutMs: 5_000,
    });
    controller.abort(new Error('job cancelled'));
    await expect(read).rejects.toThrow('job cancelled');
  });
});
