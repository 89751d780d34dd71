import { CliError, ExitCode } from '../exit-codes.js';
import { quoteWord } from '../usage.js';

/** An HTTP field name (RFC 9110 token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers the session owns: the bearer is the session's to add (one typed here would bypass
 * the refresh and re-login, and land in shell history), and the transport sets the framing.
 */
const OWNED: Record<string, { why: string; hint: string }> = {
  authorization: {
    why: 'the session adds the bearer itself',
    hint: 'Log in with `testmax login` (or select a profile with --profile) instead.',
  },
  'proxy-authorization': {
    why: 'a proxy is not configured per request',
    hint: 'Set the proxy through the environment instead.',
  },
  host: { why: 'the host comes from the base URL', hint: 'Pass --base-url to call another host.' },
  'content-length': { why: 'it is computed from the body', hint: 'Drop this -H.' },
  'transfer-encoding': { why: 'it is decided by the HTTP client', hint: 'Drop this -H.' },
  connection: { why: 'it is decided by the HTTP client', hint: 'Drop this -H.' },
};

/**
 * `-H 'Name: value'` → Headers. Values are never repeated in messages: a header is where people
 * put secrets.
 */
export function parseHeaders(lines: string[]): Headers {
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!FIELD_NAME.test(name)) {
      throw new CliError(
        ExitCode.usage,
        colon <= 0
          ? `-H needs "Name: value"; got ${quoteWord(line)}.`
          : `-H: ${quoteWord(name)} is not a valid header name.`,
        'Example: -H "Accept-Language: en"',
      );
    }
    const owned = OWNED[name.toLowerCase()];
    if (owned) {
      throw new CliError(ExitCode.usage, `-H ${name} is not accepted: ${owned.why}.`, owned.hint);
    }
    const value = line.slice(colon + 1).trim();
    // fetch would refuse these later, with a message that quotes the value.
    if (!/^[\t\u0020-\u007e\u0080-\u00ff]*$/.test(value)) {
      throw new CliError(
        ExitCode.usage,
        `-H ${name}: the value holds a line break, a control character or a character beyond Latin-1, which a header cannot carry.`,
        'Give the value on one line, in printable characters.',
      );
    }
    headers.append(name, value);
  }
  return headers;
}
