import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIAttachment } from 'discord-api-types/v10';
import type { SnowflakeGenerator } from '../model/snowflake.js';

/** A file a user attaches to a slash command, before Discord stores it. */
export interface AttachmentInput {
  filename: string;
  content: string | Uint8Array;
  /** Discord's guess from the upload; none when it could not tell. Default: text/plain for .txt, text/csv for .csv. */
  contentType?: string | null;
  /** The CDN waits this long before answering (a slow download, for timeout tests). */
  delayMs?: number;
}

/** One download the CDN served (or refused). */
export interface CdnRequestRecord {
  path: string;
  /** The attachment asked for, when the path names one. */
  attachmentId: string | undefined;
  status: number;
  receivedAt: number;
}

interface StoredFile {
  attachment: APIAttachment;
  body: Buffer;
  delayMs: number;
}

const ephemeralPath = /^\/ephemeral-attachments\/(\d+)\/(\d+)\/([^/]+)$/;

/**
 * Discord's CDN for the attachments of slash commands (`ephemeral-attachments/{application}/{id}/{name}`):
 * a file is stored when a test attaches it and served under `/cdn` on the simulator's port, the URL carrying
 * signed-looking `ex`/`is`/`hm` parameters as Discord's do. Every download is recorded.
 */
export class CdnFiles {
  readonly baseUrl: string;
  readonly requests: CdnRequestRecord[] = [];
  readonly #applicationId: string;
  readonly #ids: SnowflakeGenerator;
  readonly #files = new Map<string, StoredFile>();

  constructor(input: { baseUrl: string; applicationId: string; ids: SnowflakeGenerator }) {
    this.baseUrl = input.baseUrl;
    this.#applicationId = input.applicationId;
    this.#ids = input.ids;
  }

  /** Stores a file and returns the attachment object Discord puts in `data.resolved.attachments`. */
  upload(input: AttachmentInput): APIAttachment {
    const id = this.#ids.next();
    const body = Buffer.from(input.content);
    const filename = encodeURIComponent(input.filename);
    const expiresHex = Math.floor(Date.now() / 1_000 + 86_400).toString(16);
    const issuedHex = Math.floor(Date.now() / 1_000).toString(16);
    const url = `${this.baseUrl}/ephemeral-attachments/${this.#applicationId}/${id}/${filename}?ex=${expiresHex}&is=${issuedHex}&hm=${randomBytes(32).toString('hex')}&`;
    const contentType =
      input.contentType === undefined ? guessContentType(input.filename) : input.contentType;
    const attachment: APIAttachment = {
      id,
      filename: input.filename,
      size: body.byteLength,
      url,
      proxy_url: url,
      ephemeral: true,
      ...(contentType ? { content_type: contentType } : {}),
    };
    this.#files.set(id, { attachment, body, delayMs: input.delayMs ?? 0 });
    return attachment;
  }

  /** A stored attachment by id (the interaction payload resolves options through it). */
  attachment(id: string): APIAttachment | undefined {
    return this.#files.get(id)?.attachment;
  }

  /** Serves `GET /cdn/…` (the path given without `/cdn`): the file, or 404 as Discord's CDN answers. */
  handle(path: string, request: IncomingMessage, response: ServerResponse): void {
    const receivedAt = Date.now();
    const match = ephemeralPath.exec(path);
    const file = match && match[1] === this.#applicationId ? this.#files.get(match[2] ?? '') : undefined;
    const found =
      file && request.method === 'GET' && encodeURIComponent(file.attachment.filename) === match?.[3];
    const status = found ? 200 : 404;
    this.requests.push({ path, attachmentId: match?.[2], status, receivedAt });
    const answer = () => {
      if (!found || !file) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      response
        .writeHead(200, {
          'content-type': file.attachment.content_type ?? 'application/octet-stream',
          'content-length': String(file.body.byteLength),
        })
        .end(file.body);
    };
    if (file?.delayMs) setTimeout(answer, file.delayMs).unref();
    else answer();
  }
}

function guessContentType(filename: string): string | undefined {
  if (/\.txt$/i.test(filename)) return 'text/plain; charset=utf-8';
  if (/\.csv$/i.test(filename)) return 'text/csv; charset=utf-8';
  return undefined;
}
