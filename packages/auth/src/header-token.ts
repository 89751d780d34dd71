/**
 * The header-safe token rule: a token the SDK accepts must go back out as
 * `Authorization: Bearer <token>` unchanged. Visible ASCII only (0x21–0x7E): what JWTs and
 * RFC 6750's token68 use. A CR/LF, a NUL, a space, another control character or anything
 * beyond ASCII would be refused by `Headers` (with a TypeError quoting the whole token), or
 * re-encoded on the way out into a token the server never issued.
 */
import { ApiError, ConfigError } from './errors.js';

const HEADER_SAFE = /^[\x21-\x7e]+$/;

export function isHeaderSafeToken(token: string): boolean {
  return HEADER_SAFE.test(token);
}

/** A received token that cannot be sent back: refused, and never quoted. */
export function unsendableTokenError(label: string): ApiError {
  return new ApiError(
    `The TestMax API answered ${label} with a token that cannot be sent back in an Authorization header (it holds spaces, control or non-ASCII characters), so it was discarded; retry later, and contact TestMax support if it persists.`,
  );
}

/** The `token` option, checked the same way when the session is created. */
export function checkTokenOption(token: string): void {
  if (!isHeaderSafeToken(token)) {
    throw new ConfigError(
      'The token option holds characters that cannot be sent in an Authorization header (spaces, control or non-ASCII characters); pass the token exactly as the API issued it.',
    );
  }
}
