import type { REST } from '@discordjs/rest';
import type { APIAttachment } from 'discord-api-types/v10';

/** Which rule an attachment broke; `message` says it in words a user can act on. */
export type AttachmentReadFailure = 'not-from-cdn' | 'too-large' | 'unavailable' | 'timed-out' | 'not-text';

/** An attachment that could not be read as text: too large, too slow, not UTF-8, or not on Discord's CDN. */
export class AttachmentReadError extends Error {
  override readonly name = 'AttachmentReadError';
  readonly failure: AttachmentReadFailure;

  constructor(failure: AttachmentReadFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.failure = failure;
  }
}

export interface ReadAttachmentOptions {
  /** The most bytes read: a larger attachment is refused before it is fetched, or as soon as it is seen. */
  maxBytes: number;
  /** The whole read (connection, headers and body) is abandoned after this long. */
  timeoutMs: number;
}

/**
 * Reads an attachment (`option.attachment`) as UTF-8 text, with a size cap and a timeout. Only URLs under
 * the REST client's CDN (`rest.options.cdn`: DISCORD_CDN_URL, Discord's CDN unless configured) are fetched,
 * and redirects are not followed, so an attachment URL can never point a bot at another host. The handler's
 * `signal` cancels the read; a cancellation is rethrown as is, every other failure is an `AttachmentReadError`.
 */
export async function readAttachmentText(
  context: { rest: REST; signal: AbortSignal },
  attachment: Pick<APIAttachment, 'url' | 'size' | 'filename'>,
  options: ReadAttachmentOptions,
): Promise<string> {
  const { maxBytes } = options;
  const url = cdnUrlOf(attachment.url, context.rest.options.cdn);
  if (!url)
    throw new AttachmentReadError('not-from-cdn', `${attachment.filename} is not a Discord attachment URL.`);
  if (attachment.size > maxBytes) throw tooLarge(attachment.filename, attachment.size, maxBytes);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([context.signal, timeout]);
  try {
    const response = await fetch(url, { signal, redirect: 'error' });
    if (!response.ok) {
      await response.body?.cancel();
      throw new AttachmentReadError(
        'unavailable',
        `${attachment.filename} could not be downloaded (HTTP ${response.status}).`,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw tooLarge(attachment.filename, declared, maxBytes);
    }
    return decodeUtf8(attachment.filename, await readCapped(response, attachment.filename, maxBytes));
  } catch (error) {
    if (error instanceof AttachmentReadError) throw error;
    if (context.signal.aborted) throw error;
    if (timeout.aborted)
      throw new AttachmentReadError(
        'timed-out',
        `${attachment.filename} took longer than ${options.timeoutMs / 1_000} s to download.`,
        { cause: error },
      );
    throw new AttachmentReadError('unavailable', `${attachment.filename} could not be downloaded.`, {
      cause: error,
    });
  }
}

/** The URL when it lies under the CDN base (same origin, the base's path as a prefix); otherwise undefined. */
function cdnUrlOf(raw: string, cdnBase: string): URL | undefined {
  try {
    const url = new URL(raw);
    const base = new URL(cdnBase);
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return url.origin === base.origin && url.pathname.startsWith(prefix) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The body, stopped (and the connection released) as soon as it passes `maxBytes`. */
async function readCapped(response: Response, filename: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel();
      throw tooLarge(filename, length, maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function decodeUtf8(filename: string, body: Uint8Array): string {
  try {
    // A byte-order mark is dropped, as editors on Windows write one.
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (error) {
    throw new AttachmentReadError('not-text', `${filename} is not UTF-8 text.`, { cause: error });
  }
}

function tooLarge(filename: string, size: number, maxBytes: number): AttachmentReadError {
  return new AttachmentReadError(
    'too-large',
    `${filename} is ${formatBytes(size)}; at most ${formatBytes(maxBytes)} is read.`,
  );
}

function formatBytes(bytes: number): string {
  return bytes < 1_024 ? `${bytes} bytes` : `${Math.ceil(bytes / 1_024)} KiB`;
}
