import type { Fault } from '@testmax/mock-server';

/** What a fault may quote back: the secrets a careless server (or proxy) would echo. */
export interface FaultContext {
  apiKey: string;
  /** The bearer of the session under test, when it has one. */
  token: string | undefined;
  /** A correct answer for the endpoint, for faults that only break the framing. */
  successBody: string;
}

export interface FaultCase {
  /** Short name used in test titles: "429 Retry-After http-date". */
  name: string;
  /** Transient faults are retried by the SDK: they run once (then a normal answer) and persistently. */
  retryable: boolean;
  make(context: FaultContext): Fault;
}

/** Per-attempt timeout the cells use; a timeout fault waits well past it. */
export const CELL_TIMEOUT_MS = 1_200;

export const HTML_502 =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

const HTML_LOGIN_PAGE =
  '<html><head><title>Sign in to the Wi-Fi</title></head><body><form>captive portal</form></body></html>';

function envelope(errorCode: number, errorMessage: string): string {
  return JSON.stringify({ success: false, errorCode, errorMessage, token: null });
}

/** An HTTP date `seconds` from now, as a server would send it (second resolution). */
export function httpDate(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toUTCString();
}

/**
 * The retryable faults. `make` builds the one-shot version; the persistent one repeats it
 * (see {@link persistent}), except 429, whose persistent form asks for a wait over the SDK's cap.
 */
export const RETRYABLE: readonly FaultCase[] = [
  { name: 'timeout', retryable: true, make: () => ({ delayMs: CELL_TIMEOUT_MS * 4 }) },
  { name: 'dropped connection', retryable: true, make: () => ({ drop: true }) },
  { name: '408', retryable: true, make: () => ({ status: 408 }) },
  {
    name: '429 Retry-After seconds',
    retryable: true,
    make: () => ({ status: 429, headers: { 'Retry-After': '1' } }),
  },
  {
    name: '429 Retry-After http-date',
    retryable: true,
    make: () => ({ status: 429, headers: { 'Retry-After': httpDate(2) } }),
  },
  {
    name: '500',
    retryable: true,
    // A server that quotes the request back: the SDK must not repeat the secrets.
    make: ({ apiKey, token }) => ({
      status: 500,
      body: JSON.stringify({
        title: 'Internal Server Error',
        status: 500,
        detail: `NullReferenceException handling apiKey=${apiKey} Authorization: Bearer ${token ?? 'none'}`,
      }),
      contentType: 'application/problem+json',
    }),
  },
  {
    name: '502 HTML page',
    retryable: true,
    make: () => ({ status: 502, body: HTML_502, contentType: 'text/html' }),
  },
  { name: '503', retryable: true, make: () => ({ status: 503 }) },
  { name: '504', retryable: true, make: () => ({ status: 504 }) },
];

/** The persistent form of a retryable fault: every attempt gets it. */
export function persistent(fault: FaultCase, context: FaultContext): Fault {
  if (fault.name === '429 Retry-After seconds') {
    return { status: 429, headers: { 'Retry-After': '120' }, times: 50 };
  }
  if (fault.name === '429 Retry-After http-date') {
    return { status: 429, headers: { 'Retry-After': httpDate(600) }, times: 50 };
  }
  return { ...fault.make(context), times: 50 };
}

/** Faults the SDK must not retry: they are answers, just bad or negative ones. */
export const TERMINAL: readonly FaultCase[] = [
  {
    name: 'empty body',
    retryable: false,
    make: () => ({ status: 200, body: '', contentType: 'application/json' }),
  },
  {
    name: 'truncated JSON',
    retryable: false,
    make: ({ successBody }) => ({
      status: 200,
      body: successBody.slice(0, Math.floor(successBody.length / 2)),
      contentType: 'application/json',
    }),
  },
  {
    name: 'HTML page with 200',
    retryable: false,
    make: () => ({ status: 200, body: HTML_LOGIN_PAGE, contentType: 'text/html' }),
  },
  {
    name: 'wrong content-type',
    retryable: false,
    make: ({ successBody }) => ({ status: 200, body: successBody, contentType: 'text/html; charset=utf-8' }),
  },
  {
    name: 'success:false code 1',
    retryable: false,
    make: () => ({ status: 200, body: envelope(1, 'User not found') }),
  },
  {
    name: 'success:false code 3',
    retryable: false,
    make: () => ({ status: 200, body: envelope(3, 'Invalid credentials') }),
  },
  {
    name: 'success:false code 9',
    retryable: false,
    make: () => ({ status: 200, body: envelope(9, 'A Pro subscription is required to use the API') }),
  },
  {
    name: 'success:false code 99',
    retryable: false,
    make: ({ apiKey, token }) => ({
      status: 200,
      body: envelope(99, `Internal error (request apiKey=${apiKey}, token=${token ?? 'none'})`),
    }),
  },
  { name: 'bare 401', retryable: false, make: () => ({ status: 401 }) },
  {
    name: 'body-401',
    retryable: false,
    make: () => ({ status: 200, body: envelope(3, 'Token is missing, expired or invalid') }),
  },
];
