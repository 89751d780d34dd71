import {
  ApiError,
  AuthenticationError,
  InvalidCredentialsError,
  NetworkError,
  RateLimitError,
  SubscriptionRequiredError,
  type TestMaxError,
  TimeoutError,
  TokenExpiredError,
} from '@testmax/auth';
import type { FaultCase } from './faults.js';

export type Mode = 'once' | 'persistent';

// biome-ignore lint/suspicious/noExplicitAny: error classes have different constructor signatures.
export type ErrorClass = abstract new (...args: any[]) => TestMaxError;

/** What a cell expects; `calls` counts requests to the faulted path. */
export type Outcome =
  | {
      kind: 'ok';
      label: string;
      calls: number;
      /** Logins during the call (0 unless a refused token forces one). */
      logins?: number;
      /** The SDK must have slept for a delay in this range (a honoured Retry-After). */
      waitedMs?: [number, number];
      /** Logout: the server must refuse the old token afterwards. */
      revoked?: boolean;
    }
  | {
      kind: 'error';
      type: ErrorClass;
      calls: number;
      logins?: number;
      status?: number;
      errorCode?: number;
      retryAfterMs?: [number, number];
      message?: RegExp;
    }
  /** `session.fetch` hands the final response back as it came. */
  | { kind: 'response'; status: number; calls: number; logins?: number; body?: 'as-injected' };

export function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === 'ok') return outcome.label;
  if (outcome.kind === 'response') {
    return `returns the HTTP ${outcome.status} response${outcome.calls > 1 ? ` after ${outcome.calls} attempts` : ''}`;
  }
  const details = [
    outcome.status,
    outcome.errorCode === undefined ? undefined : `errorCode ${outcome.errorCode}`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  return `${outcome.type.name}${details ? ` ${details}` : ''}${outcome.calls > 1 ? ` after ${outcome.calls} attempts` : ''}`;
}

/** Statuses of the retryable faults that carry one. */
const STATUS: Record<string, number> = {
  '408': 408,
  '500': 500,
  '502 HTML page': 502,
  '503': 503,
  '504': 504,
};

/** A retryable fault on every attempt, for the SDK's own calls (retries: 1, so 2 attempts). */
export function exhausted(fault: FaultCase): Outcome {
  switch (fault.name) {
    case 'timeout':
      return { kind: 'error', type: TimeoutError, calls: 2, message: /did not answer .* within 1200 ms/ };
    case 'dropped connection':
      return { kind: 'error', type: NetworkError, calls: 2, message: /Could not reach the TestMax API/ };
    case '429 Retry-After seconds':
      return { kind: 'error', type: RateLimitError, calls: 1, status: 429, retryAfterMs: [120_000, 120_000] };
    case '429 Retry-After http-date':
      return { kind: 'error', type: RateLimitError, calls: 1, status: 429, retryAfterMs: [580_000, 600_000] };
    default: {
      const status = STATUS[fault.name] as number;
      return {
        kind: 'error',
        type: ApiError,
        calls: 2,
        status,
        ...(status === 502 ? { message: /HTML page instead of JSON/ } : {}),
      };
    }
  }
}

/** A retryable fault once, then the normal answer. */
export function retried(fault: FaultCase, extra: Partial<Extract<Outcome, { kind: 'ok' }>> = {}): Outcome {
  const waitedMs: [number, number] | undefined =
    fault.name === '429 Retry-After seconds'
      ? [1_000, 1_000]
      : fault.name === '429 Retry-After http-date'
        ? [1, 2_000]
        : undefined;
  return { kind: 'ok', label: 'retried, succeeds', calls: 2, ...(waitedMs ? { waitedMs } : {}), ...extra };
}

export const unreadable = (): Outcome => ({ kind: 'error', type: ApiError, calls: 1, status: 200 });

export const notRetriedErrors = {
  invalidCredentials: (): Outcome => ({ kind: 'error', type: InvalidCredentialsError, calls: 1 }),
  authentication: (): Outcome => ({ kind: 'error', type: AuthenticationError, calls: 1, status: 401 }),
  subscription: (calls = 1): Outcome => ({
    kind: 'error',
    type: SubscriptionRequiredError,
    calls,
    errorCode: 9,
  }),
  internal: (calls = 1): Outcome => ({ kind: 'error', type: ApiError, calls, errorCode: 99 }),
  tokenExpired: (calls = 1, logins = 0): Outcome => ({
    kind: 'error',
    type: TokenExpiredError,
    calls,
    logins,
  }),
};
