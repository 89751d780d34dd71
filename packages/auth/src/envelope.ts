import { type Endpoint, isWhoAreYou } from './endpoints.js';
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
import type { Received } from './send.js';

/** The `success`/`errorCode`/`errorMessage` envelope every TestMax JSON body carries. */
export interface Envelope {
  success?: unknown;
  errorCode?: unknown;
  errorMessage?: unknown;
  [field: string]: unknown;
}

/** The answer of an endpoint that refused the bearer (a bare 401, or the body form). */
export const REFUSED = 'refused';

interface Context {
  readonly endpoint: Endpoint;
  /** "POST /Auth/loginKey", for messages. */
  readonly label: string;
  readonly secrets: Iterable<string | undefined>;
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

function attemptsSuffix(received: Received<'text'>): string {
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
  return new ApiError(`The TestMax API answered ${label} with ${what} instead of JSON`, {
    status,
    advice: 'check that the base URL points at the TestMax API and retry later',
  });
}

/**
 * The envelope of a successful answer, {@link REFUSED} when an endpoint that takes a bearer
 * refused it, or the matching {@link TestMaxError} thrown. HTTP status and the body's
 * `errorCode` are both checked: `success: false` on HTTP 200 is an error too.
 */
export function readEnvelope(received: Received<'text'>, ctx: Context): Envelope | typeof REFUSED {
  const { response } = received;
  const text = received.body;
  const { auth } = ctx.endpoint;
  const contentType = response.headers.get('content-type')?.toLowerCase() ?? '';
  const { status } = response;

  if (status === 401) {
    if (auth === 'bearer') return REFUSED;
    throw new AuthenticationError(`The TestMax API refused ${ctx.label} (HTTP 401)`, {
      status,
      advice: 'check the base URL and your credentials',
    });
  }
  if (status === 429) {
    const wait = received.retryAfterMs;
    const waitText = wait === undefined ? '' : ` and asked to wait ${Math.ceil(wait / 1000)} s`;
    throw new RateLimitError(
      `The TestMax API is rate limiting ${ctx.label} (HTTP 429)${waitText}${attemptsSuffix(received)}`,
      wait,
      { advice: 'slow down and retry later' },
    );
  }
  if (status < 200 || status >= 300) {
    if (looksLikeHtml(text, contentType)) {
      throw new ApiError(
        `The TestMax API answered ${ctx.label} with HTTP ${status} and an HTML page instead of JSON${attemptsSuffix(received)}, which usually means a proxy or gateway error`,
        { status, advice: 'check the base URL and retry later' },
      );
    }
    const detail = problemDetail(text, ctx.secrets);
    const what = detail ? ` (${detail})` : '';
    const advice =
      status >= 500 ? 'the service may be down, so retry later' : 'check the request and the base URL';
    const wait = received.retryAfterMs;
    const asked = wait === undefined ? '' : ` and asked to wait ${Math.ceil(wait / 1000)} s`;
    throw new ApiError(
      `The TestMax API answered ${ctx.label} with HTTP ${status}${what}${asked}${attemptsSuffix(received)}`,
      { status, advice },
    );
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw notJsonError(ctx.label, text, contentType, status);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(`The TestMax API answered ${ctx.label} with JSON that is not a response envelope`, {
      status,
      advice: 'check that the base URL points at the TestMax API',
    });
  }
  const envelope = body as Envelope;
  const errorCode = typeof envelope.errorCode === 'number' ? envelope.errorCode : undefined;
  if (envelope.success === true || (envelope.success === undefined && errorCode === 0)) {
    return envelope;
  }

  const message = serverMessage(envelope.errorMessage, ctx.secrets);
  const codeText = errorCode === undefined ? 'no error code' : `error ${errorCode}`;
  const said = `${codeText}: ${message ?? ERROR_NAMES[errorCode ?? -1] ?? 'no message'}`;
  const options = { status, ...(errorCode === undefined ? {} : { errorCode }) };
  const who = isWhoAreYou(errorCode);

  if (errorCode === 9) {
    throw new SubscriptionRequiredError(
      `The TestMax API requires a Pro subscription for this user (${said})`,
      {
        ...options,
        advice: 'upgrade the account, then log in again',
      },
    );
  }
  if (who && auth === 'bearer' && ctx.endpoint.refusesInBody) return REFUSED;
  if (who && auth === 'key') {
    if (message && /disabled/i.test(message)) {
      throw new AccountDisabledError(`The TestMax account for this user is disabled (${said})`, {
        ...options,
        advice: 'contact TestMax support to re-enable it',
      });
    }
    if (message && /required/i.test(message)) {
      throw new InvalidCredentialsError(
        `The TestMax API says the user name or API key is missing (${said})`,
        {
          ...options,
          advice: 'set TESTMAX_USERNAME and TESTMAX_API_KEY',
        },
      );
    }
    throw new InvalidCredentialsError(`The TestMax API rejected the user name or API key (${said})`, {
      ...options,
      advice: 'check TESTMAX_USERNAME and TESTMAX_API_KEY, or create a new API key',
    });
  }
  throw new ApiError(`The TestMax API answered ${ctx.label} with ${said}`, {
    ...options,
    advice: 'retry later, and contact TestMax support if it persists',
  });
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
