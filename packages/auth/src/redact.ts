export const REDACTED = '[REDACTED]';

// Anything shaped like a JWT is a token, whoever's it is.
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BEARER_PATTERN = /(Bearer\s+)[^\s"',;]+/gi;

/**
 * Replace the given secrets, anything JWT-shaped and any bearer credential in `text`.
 * Secrets shorter than 4 characters are skipped: replacing "a" everywhere would garble text
 * without protecting anything.
 */
export function redact(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out.replace(JWT_PATTERN, REDACTED).replace(BEARER_PATTERN, `$1${REDACTED}`);
}
