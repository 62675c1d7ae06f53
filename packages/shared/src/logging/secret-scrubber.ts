/**
 * Last line of defence for secrets in log lines. Structured redaction (pino `redact`) catches secrets in
 * known fields; this catches them where they hide inside strings: error messages that quote a URL with an
 * interaction token, an `Authorization: Bot …` header echoed by a library, or the bot token itself.
 */
const REDACTED = '[REDACTED]';

const secretPatterns: readonly [RegExp, string][] = [
  // Interaction and webhook tokens live in the path: /interactions/{id}/{token}/callback, /webhooks/{id}/{token}
  [/(\/interactions\/\d+\/)[^/\s"'?]+/g, `$1${REDACTED}`],
  [/(\/webhooks\/\d+\/)[^/\s"'?]+/g, `$1${REDACTED}`],
  [/\b(Bot|Bearer) [\w.-]{20,}/g, `$1 ${REDACTED}`],
  // Anything shaped like a bot token (base64 user id . timestamp . hmac)
  [/\b[\w-]{23,28}\.[\w-]{6}\.[\w-]{27,40}\b/g, REDACTED],
];

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
