/**
 * Last line of defence for secrets in log lines. Structured redaction (pino `redact`) catches secrets in
 * known fields; this catches them where they hide inside strings: error messages that quote a URL with an
 * interaction token or a password, an `Authorization: Bot …` header echoed by a library, job data quoted
 * as JSON, or the bot token itself.
 */
const REDACTED = '[REDACTED]';

const secretPatterns: readonly [RegExp, string][] = [
  // Interaction and webhook tokens live in the path: /interactions/{id}/{token}/callback, /webhooks/{id}/{token}
  [/(\/interactions\/\d+\/)[^/\s"'?]+/g, `$1${REDACTED}`],
  [/(\/webhooks\/\d+\/)[^/\s"'?]+/g, `$1${REDACTED}`],
  [/\b(Bot|Bearer) [\w.-]{20,}/g, `$1 ${REDACTED}`],
  // Anything shaped like a bot token (base64 user id . timestamp . hmac)
  [/\b[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,40}\b/g, REDACTED],
  // Interaction tokens wherever they stand: they begin with base64("interaction:").
  [/\baW50ZXJhY3Rpb246[\w-]+/g, REDACTED],
  // A `token` field of JSON quoted inside a string (job data in an error message), escaped or not.
  [/(\\?"token\\?"\s*:\s*\\?")[^"\\]+/g, `$1${REDACTED}`],
  // The password of any URL with credentials: redis://user:pass@…, rediss://:pass@…, postgresql://u:p@…
  [/(\b[a-z][a-z\d+.-]*:\/\/[^\s:@/"'?#]*:)[^\s@/"']+@/gi, `$1${REDACTED}@`],
];

/**
 * The passwords in the URLs among `values` (a process's configuration), decoded and as written, to scrub
 * literally: a library may print one outside its URL.
 */
export function passwordsInUrls(values: readonly unknown[]): string[] {
  const passwords = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || !value.includes('://')) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      continue;
    }
    if (!url.password) continue;
    passwords.add(url.password);
    passwords.add(decodeURIComponent(url.password));
  }
  return [...passwords];
}

export function createSecretScrubber(knownSecrets: readonly string[] = []): (line: string) => string {
  const literalSecrets = knownSecrets.filter((secret) => secret.length >= 8);
  return (line) => {
    let scrubbed = line;
    for (const secret of literalSecrets) {
      if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join(REDACTED);
    }
    for (const [pattern, replacement] of secretPatterns) {
      scrubbed = scrubbed.replace(pattern, replacement);
    }
    return scrubbed;
  };
}
