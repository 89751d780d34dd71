import { ApiError, type AuthSession, type PingOptions, ping as pingApi } from '@testmax/auth';
import { DEMO_ACCOUNTS } from '@testmax/mock-server';
import { expect } from 'vitest';
import type { FaultCase } from './faults.js';
import {
  notRetriedErrors as e,
  exhausted,
  type Mode,
  type Outcome,
  retried,
  unreadable,
} from './outcomes.js';

const OK = { success: true, errorCode: 0, errorMessage: null };

export interface EndpointContext {
  session: AuthSession;
  /** The session's token before the call (after the set-up login), if it has one. */
  token: string | undefined;
  /** A usable token the simulator issued, for bodies that must carry one. */
  seedToken: string;
  baseUrl: string;
  /** The transport options the session was built with, for calls that need no session. */
  options: PingOptions;
}

/** One endpoint as the SDK reaches it, and what each fault must lead to. */
export interface Endpoint {
  name: string;
  path: string;
  /** Log in before injecting the fault (the call under test needs a token). */
  loggedIn: boolean;
  /**
   * False for calls made without the session (ping): they never had the key, so a server
   * cannot echo it and the SDK cannot know to redact it.
   */
  knowsKey?: false;
  successBody(context: EndpointContext): string;
  run(context: EndpointContext): Promise<unknown>;
  /** Assert the normal result of `run`. */
  checkResult(result: unknown, context: EndpointContext): Promise<void>;
  expect(fault: FaultCase, mode: Mode): Outcome;
}

const isAuthish = (name: string) =>
  ['success:false code 1', 'success:false code 3', 'body-401', 'bare 401'].includes(name);

/** Faults with a second, persistent form: the retryable ones and a refused token. */
export function modesOf(fault: FaultCase): Mode[] {
  return fault.retryable || isAuthish(fault.name) ? ['once', 'persistent'] : ['once'];
}

/** The outcomes every SDK call shares: retries, unreadable answers, codes 9 and 99. */
function common(fault: FaultCase, mode: Mode, ok: Outcome): Outcome | undefined {
  if (fault.retryable) return mode === 'once' ? retried(fault) : exhausted(fault);
  switch (fault.name) {
    case 'empty body':
      return { ...unreadable(), message: /an empty body instead of JSON/ } as Outcome;
    case 'truncated JSON':
      return { ...unreadable(), message: /not valid JSON/ } as Outcome;
    case 'HTML page with 200':
      return { ...unreadable(), message: /an HTML page instead of JSON/ } as Outcome;
    case 'wrong content-type':
      return ok;
    case 'success:false code 9':
      return e.subscription();
    case 'success:false code 99':
      return e.internal();
    default:
      return undefined;
  }
}

const accepted: Outcome = { kind: 'ok', label: 'parsed by content, succeeds', calls: 1 };

export const loginKey: Endpoint = {
  name: 'loginKey',
  path: '/Auth/loginKey',
  loggedIn: false,
  successBody: ({ seedToken }) => JSON.stringify({ ...OK, token: seedToken }),
  run: ({ session }) => session.authenticate(),
  async checkResult(_result, { session }) {
    expect(session.isAuthenticated).toBe(true);
    // The token the session holds must really work.
    expect(await session.accounts()).toHaveLength(DEMO_ACCOUNTS.length);
  },
  expect(fault, mode) {
    const shared = common(fault, mode, accepted);
    if (shared) return shared;
    // Refused credentials are final: never retried, whatever the mode.
    if (fault.name === 'bare 401') return e.authentication();
    return e.invalidCredentials();
  },
};

export const validate: Endpoint = {
  name: 'validate',
  path: '/Auth/validate',
  loggedIn: true,
  successBody: ({ token }) => JSON.stringify({ ...OK, token }),
  run: ({ session }) => session.validate(),
  async checkResult(result, { session, token }) {
    expect(result).toMatchObject({ renewed: false });
    expect((result as { expiresAt: Date }).expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await session.getSessionToken()).toBe(token);
  },
  expect(fault, mode) {
    return common(fault, mode, accepted) ?? e.tokenExpired();
  },
};

export const logout: Endpoint = {
  name: 'logout',
  path: '/Auth/logout',
  loggedIn: true,
  successBody: () => JSON.stringify(OK),
  run: ({ session }) => session.logout(),
  async checkResult(result, { session }) {
    // Revoked now, or already refused by the server: logged out either way.
    expect(result).toEqual({ revoked: expect.any(Boolean) });
    expect(session.isAuthenticated).toBe(false);
  },
  expect(fault, mode) {
    if (fault.retryable && mode === 'once') return retried(fault, { revoked: true });
    return (
      common(fault, mode, accepted) ?? {
        kind: 'ok',
        label: 'token refused counts as logged out',
        calls: 1,
      }
    );
  },
};

export const accountSearch: Endpoint = {
  name: 'Account/search',
  path: '/Account/search',
  loggedIn: true,
  successBody: () => JSON.stringify({ ...OK, accounts: DEMO_ACCOUNTS }),
  run: ({ session }) => session.accounts(),
  async checkResult(result) {
    expect((result as { name: string }[]).map((a) => a.name)).toEqual(DEMO_ACCOUNTS.map((a) => a.name));
  },
  expect(fault, mode) {
    const shared = common(fault, mode, accepted);
    if (shared) return shared;
    // A refused token: log in again and retry once; refused again, give up (never loop).
    return mode === 'once'
      ? { kind: 'ok', label: 'logs in again, retried once, succeeds', calls: 2, logins: 1 }
      : e.tokenExpired(2, 1);
  },
};

/** `ping()`: the SDK's unauthenticated health check; same retries and errors as every call. */
export const ping: Endpoint = {
  name: 'ping',
  path: '/Status/ping',
  loggedIn: false,
  knowsKey: false,
  successBody: () => JSON.stringify(OK),
  run: ({ baseUrl, options }) => pingApi({ ...options, baseUrl }),
  async checkResult(result) {
    expect((result as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
  },
  expect(fault, mode) {
    const shared = common(fault, mode, accepted);
    if (shared) return shared;
    // Nothing to re-authenticate on a public endpoint: a refusal is just an error, not retried.
    if (fault.name === 'bare 401') return e.authentication();
    return { kind: 'error', type: ApiError, calls: 1, status: 200 };
  },
};

/**
 * `session.fetch`, the SDK's generic surface: it retries and re-authenticates like the typed
 * calls, but returns the final `Response` as it came (a `fetch` does not throw on an HTTP
 * status); only network failures reject. On `Account/search` a 200 with `success: false` and
 * errorCode 1/3 is a refused token (log in, re-send once); on any other path (here
 * `Status/ping`) errorCode 1/3 may mean something else (on ProjectX's `Order/place`, 3 is
 * insufficient funds), so only a bare 401 is a refusal and the body comes back as it is.
 */
function sessionFetchOn(path: '/Status/ping' | '/Account/search'): Endpoint {
  const bodyRefusal = path === '/Account/search';
  const okBody = bodyRefusal ? { ...OK, accounts: DEMO_ACCOUNTS } : OK;
  return {
    name: `session.fetch (${path.slice(1)})`,
    path,
    loggedIn: true,
    successBody: () => JSON.stringify(okBody),
    run: async ({ session }) => {
      const response = bodyRefusal
        ? await session.fetch(path, { method: 'POST', body: '{}' })
        : await session.fetch(path);
      return { status: response.status, text: await response.text() };
    },
    async checkResult(result) {
      const { status, text } = result as { status: number; text: string };
      expect(status).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ success: true, errorCode: 0 });
    },
    expect(fault, mode) {
      if (fault.retryable) {
        if (mode === 'once') return retried(fault);
        const failed = exhausted(fault);
        if (fault.name === 'timeout' || fault.name === 'dropped connection') return failed;
        return { kind: 'response', status: (failed as { status: number }).status, calls: failed.calls };
      }
      if (fault.name === 'bare 401' || (bodyRefusal && isAuthish(fault.name))) {
        return mode === 'once'
          ? { kind: 'ok', label: 'logs in again, retried once, succeeds', calls: 2, logins: 1 }
          : {
              kind: 'response',
              status: fault.name === 'bare 401' ? 401 : 200,
              calls: 2,
              logins: 1,
              body: 'as-injected',
            };
      }
      if (fault.name === 'wrong content-type') return accepted;
      return { kind: 'response', status: 200, calls: 1, body: 'as-injected' };
    },
  };
}

export const sessionFetch = sessionFetchOn('/Status/ping');
export const sessionFetchSearch = sessionFetchOn('/Account/search');

export const ENDPOINTS: readonly Endpoint[] = [
  loginKey,
  validate,
  logout,
  ping,
  sessionFetch,
  sessionFetchSearch,
  accountSearch,
];
