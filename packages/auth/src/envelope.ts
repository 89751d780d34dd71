import {
  AccountDisabledError,
  ApiError,
  AuthenticationError,
  InvalidCredentialsError,
  RateLimitError,
  SubscriptionRequiredError,
} from './errors.js';
import { isHeaderSafeToken, unsendableTokenError } from './header-token.js';
import { redact } from './redact.js';
import type { Received } from './transport.js';

/** The `success`/`errorCode`/`errorMessage` envelope every TestMax JSON body carries. */
export interface Envelope {
  success?: unknown;
  errorCode?: unknown;
  errorMessage?: unknown;
  [field: string]: unknown;
}

export type Outcome =
  | { kind: 'ok'; body: Envelope }
  /** The bearer was refused: a bare 401, or 200 with `success: false` and errorCode 1 or 3. */
  | { kind: 'unauthorized' };

/** `login` and `public` (ping) send no bearer; `authenticated` calls do. */
export type Operation = 'login' | 'public' | 'authenticated';

interface Context {
  operation: Operation;
  /** "POST /Auth/loginKey", for messages. */
  label: string;
  secrets: Iterable<string | undefined>;
}

const ERROR_NAMES: Record<number, string> = {
  1: 'user not found',
  3: 'invalid credentials',
  9: 'Pro subscription required',
  99: 'internal error',
};

function looksLikeHtml(text: string, contentType: string): boolean {
  return contentType.includes('html') || /^\s*</.test(text);
}

/** The server's own words, shortened and with anything secret-looking removed. */
function serverMessage(value: unknown, secrets: Iterable<string | undefined>): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const oneLine = value.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine;
  return redact(short, secrets).replace(/[.;]+$/, '');
}

function problemDetail(text: string, secrets: Iterable<string | undefined>): string | undefined {
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; title?: unknown; errorMessage?: unknown };
    return serverMessage(parsed.detail ?? parsed.title ?? parsed.errorMessage, secrets);
  } catch {
    return undefined;
  }
}

function attemptsSuffix(received: Received): string {
  return received.attempts > 1 ? ` after ${received.attempts} attempts` : '';
}

/** A 2xx answer whose body is empty or not JSON: a proxy, a captive portal, or a cut body. */
export function notJsonError(label: string, text: string, contentType: string, status: number): ApiError {
  const what =
    text.trim() === ''
      ? 'an empty body'
      : looksLikeHtml(text, contentType.toLowerCase())
        ? 'an HTML page'
        : 'a body that is not valid JSON';
  return new ApiError(
    `The TestMax API answered ${label} with ${what} instead of JSON; check that the base URL points at the TestMax API and retry later.`,
    { status },
  );
}

/**
 * Turn a response into an outcome, or throw the matching {@link TestMaxError}. HTTP status and
 * the body's `errorCode` are both checked: `success: false` on HTTP 200 is an error too.
 */
export function interpret(received: Received, ctx: Context): Outcome {
  const { response } = received;
  const text = received.text ?? '';
  const contentType = response.headers.get('content-type')?.toLowerCase() ?? '';
  const { status } = response;

  if (status === 401) {
    if (ctx.operation !== 'authenticated') {
      throw new AuthenticationError(
        `The TestMax API refused ${ctx.label} (HTTP 401); check the base URL and your credentials.`,
        { status },
      );
    }
    return { kind: 'unauthorized' };
  }
  if (status === 429) {
    const wait = received.retryAfterMs;
    const waitText = wait === undefined ? '' : ` and asked to wait ${Math.ceil(wait / 1000)} s`;
    throw new RateLimitError(
      `The TestMax API is rate limiting ${ctx.label} (HTTP 429)${waitText}${attemptsSuffix(received)}; slow down and retry later.`,
      wait,
    );
  }
  if (status < 200 || status >= 300) {
    if (looksLikeHtml(text, contentType)) {
      throw new ApiError(
        `The TestMax API answered ${ctx.label} with HTTP ${status} and an HTML page instead of JSON${attemptsSuffix(received)}, which usually means a proxy or gateway error; check the base URL and retry later.`,
        { status },
      );
    }
    const detail = problemDetail(text, ctx.secrets);
    const what = detail ? ` (${detail})` : '';
    const advice =
      status >= 500 ? 'the service may be down, so retry later' : 'check the request and the base URL';
    const wait = received.retryAfterMs;
    const asked = wait === undefined ? '' : ` and asked to wait ${Math.ceil(wait / 1000)} s`;
    throw new ApiError(
      `The TestMax API answered ${ctx.label} with HTTP ${status}${what}${asked}${attemptsSuffix(received)}; ${advice}.`,
      { status },
    );
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw notJsonError(ctx.label, text, contentType, status);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(
      `The TestMax API answered ${ctx.label} with JSON that is not a response envelope; check that the base URL points at the TestMax API.`,
      { status },
    );
  }
  const envelope = body as Envelope;
  const errorCode = typeof envelope.errorCode === 'number' ? envelope.errorCode : undefined;
  if (envelope.success === true || (envelope.success === undefined && errorCode === 0)) {
    return { kind: 'ok', body: envelope };
  }

  const message = serverMessage(envelope.errorMessage, ctx.secrets);
  const codeText = errorCode === undefined ? 'no error code' : `error ${errorCode}`;
  const said = `${codeText}: ${message ?? ERROR_NAMES[errorCode ?? -1] ?? 'no message'}`;
  const options = { status, ...(errorCode === undefined ? {} : { errorCode }) };

  if (errorCode === 9) {
    throw new SubscriptionRequiredError(
      `The TestMax API requires a Pro subscription for this user (${said}); upgrade the account, then log in again.`,
      options,
    );
  }
  if (ctx.operation === 'authenticated' && (errorCode === 1 || errorCode === 3)) {
    return { kind: 'unauthorized' };
  }
  if (ctx.operation === 'login' && (errorCode === 1 || errorCode === 3)) {
    if (message && /disabled/i.test(message)) {
      throw new AccountDisabledError(
        `The TestMax account for this user is disabled (${said}); contact TestMax support to re-enable it.`,
        options,
      );
    }
    if (message && /required/i.test(message)) {
      throw new InvalidCredentialsError(
        `The TestMax API says the user name or API key is missing (${said}); set TESTMAX_USERNAME and TESTMAX_API_KEY.`,
        options,
      );
    }
    throw new InvalidCredentialsError(
      `The TestMax API rejected the user name or API key (${said}); check TESTMAX_USERNAME and TESTMAX_API_KEY, or create a new API key.`,
      options,
    );
  }
  throw new ApiError(
    `The TestMax API answered ${ctx.label} with ${said}; retry later, and contact TestMax support if it persists.`,
    options,
  );
}

/**
 * The token from a login or validate body: TestMax says `token`, the ProjectX Gateway
 * `newToken`. One that could not be sent back as a header is refused here, at receipt.
 */
export function tokenFrom(body: Envelope, label: string): string | undefined {
  for (const field of ['token', 'newToken']) {
    const value = body[field];
    if (typeof value === 'string' && value.trim() !== '') {
      const token = value.trim();
      if (!isHeaderSafeToken(token)) throw unsendableTokenError(label);
      return token;
    }
  }
  return undefined;
}
