import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parseJson } from './json-text.js';

/** How `testmax api` ends after an answer: exit 0, or a code and one line for stderr. */
export type Verdict = { ok: true } | { ok: false; exitCode: ExitCodeValue; message: string; hint: string };

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function short(text: unknown, max = 200): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed;
}

/** The problem document's detail or title, or the envelope's errorMessage. */
function serverSays(value: unknown): string | undefined {
  return short(field(value, 'detail')) ?? short(field(value, 'title')) ?? short(field(value, 'errorMessage'));
}

/** How the answer was come by: the SDK's attempts, and the wait the server asked for. */
export interface Delivery {
  /** Attempts the SDK made (1: sent once, not retried); undefined when not known. */
  attempts?: number | undefined;
  /** The final answer's `Retry-After`, in ms. */
  retryAfterMs?: number | undefined;
  /** The answer's Content-Type header. */
  contentType?: string | null | undefined;
}

/** `application/json`, `application/problem+json`, with or without parameters. */
function saysJson(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && /^\s*application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType);
}

/** " (sent once)", " (after 3 attempts)", or '' when not known. */
function attemptsText(attempts: number | undefined): string {
  if (attempts === undefined) return '';
  return attempts === 1 ? ' (sent once)' : ` (after ${attempts} attempts)`;
}

/** What to do after a 408, 429 or 5xx: what the server asked, and what the SDK did. */
function unavailableHint(status: number, { attempts, retryAfterMs }: Delivery): string {
  if (retryAfterMs !== undefined)
    return `Try again in ${Math.ceil(retryAfterMs / 1000)} s, as the server asked.`;
  if (attempts !== undefined && attempts > 1) return 'Try again later.';
  if (status === 429) return 'Try again later.';
  // Sent once (or not known): an unknown POST may have been processed, so it is not repeated.
  return attempts === 1
    ? 'It was not repeated: check whether it took effect before sending it again.'
    : 'Check whether it took effect before sending it again.';
}

/**
 * The exit code of an answer, as documented for `testmax api`: 2xx with `success: true` (or no
 * envelope) is 0, but a body that says it is JSON and is not is 1 (a broken answer: nothing in
 * it can be trusted, and retrying is not known to be safe); `success: false` is 1 with the error code and message; 401 is 3 (the session
 * already logged in again once); 408, 429 and 5xx (after the SDK's retries where they are safe)
 * are 5, saying how many attempts were made and how long the server asked to wait; anything
 * else is 1 with the status and what the server said.
 */
export function judge(
  label: string,
  status: number,
  statusText: string,
  text: string,
  delivery: Delivery = {},
): Verdict {
  const parsed = parseJson(text)?.value;
  const says = serverSays(parsed);
  if (status >= 200 && status < 300) {
    if (parsed === undefined && text.trim() !== '' && saysJson(delivery.contentType)) {
      return {
        ok: false,
        exitCode: ExitCode.error,
        message: `${label} answered HTTP ${status} with a body that is not valid JSON, though its Content-Type says JSON`,
        hint: 'The server (or a proxy before it) sent a broken answer, printed as it came; try again, and check the base URL if it persists.',
      };
    }
    if (field(parsed, 'success') !== false) return { ok: true };
    const code = field(parsed, 'errorCode');
    const codeText =
      typeof code === 'number' || typeof code === 'string' ? `errorCode ${code}` : 'no errorCode';
    return {
      ok: false,
      exitCode: ExitCode.error,
      message: `${label} answered success: false (${codeText}${says ? `: ${says}` : ''})`,
      hint: 'The server refused the request itself: check the values you sent (its answer is on stdout).',
    };
  }
  const http = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  const message = `${label} answered ${http}${says ? `: ${says}` : ''}`;
  if (status === 401) {
    return {
      ok: false,
      exitCode: ExitCode.authFailed,
      message,
      hint: 'The server refused the session token even after logging in again; run `testmax status` to see which credentials are used.',
    };
  }
  if (status === 408 || status === 429 || status >= 500) {
    const wait = delivery.retryAfterMs;
    const asked = wait === undefined ? '' : ` and asked to wait ${Math.ceil(wait / 1000)} s`;
    return {
      ok: false,
      exitCode: ExitCode.unavailable,
      message: `${label} answered ${http}${attemptsText(delivery.attempts)}${asked}${says ? `: ${says}` : ''}`,
      hint: unavailableHint(status, delivery),
    };
  }
  return { ok: false, exitCode: ExitCode.error, message, hint: clientErrorHint(status) };
}

/** What to check after a 4xx: each status points at a different part of the request. */
function clientErrorHint(status: number): string {
  if (status === 413 || status === 431) {
    return `The request was too large for the server (${status === 413 ? 'its body' : 'its headers'}): check the -f/-F fields, --input and -H values.`;
  }
  if (status === 400 || status === 422) {
    return 'The server refused the body: check the fields against `testmax api --help` and the answer on stdout.';
  }
  if (status === 403) return 'The account is not allowed to do this: check the account and the path.';
  return 'Check the path and the method: `testmax api --help` lists the operations the spec knows.';
}
