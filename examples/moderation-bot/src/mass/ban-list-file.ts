import { AttachmentReadError, type HandlerContext, readAttachmentText } from '@dgc/bot-sdk';
import type { APIAttachment } from 'discord-api-types/v10';

/**
 * The largest ban list read: 1,000 ids of up to 20 digits with their separators take about 22 KiB, so a
 * list a little over the limit is still read and refused by its count, which says more than its size.
 */
export const maxBanListBytes = 64 * 1_024;
/** A ban list is a few KiB on Discord's CDN: a read this slow is a fault, and the handler has ~10 s in all. */
export const banListReadTimeoutMs = 5_000;

const textTypes = ['text/plain', 'text/csv'];

/** The attached ban list's text, or why it was refused (in words for the moderator). */
export async function readBanListFile(
  context: Pick<HandlerContext, 'rest' | 'signal'>,
  file: APIAttachment,
): Promise<{ text: string } | { refusal: string }> {
  const mediaType = file.content_type?.split(';')[0]?.trim().toLowerCase();
  const textByName = /\.(txt|csv)$/i.test(file.filename);
  if (mediaType ? !textTypes.includes(mediaType) : !textByName)
    return {
      refusal: `${file.filename} is not a text or CSV file (${mediaType ?? 'unknown type'}): attach a .txt or .csv list of user ids. Nobody was banned.`,
    };
  try {
    return {
      text: await readAttachmentText(context, file, {
        maxBytes: maxBanListBytes,
        timeoutMs: banListReadTimeoutMs,
      }),
    };
  } catch (error) {
    if (!(error instanceof AttachmentReadError)) throw error;
    return { refusal: `${error.message} Nobody was banned.` };
  }
}
