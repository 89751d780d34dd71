import type { IncomingMessage } from 'node:http';
import type { TokenClaims } from './jwt.js';
import type { SimulatorState } from './state.js';
import type { MockUser } from './types.js';

/**
 * What a route decided: a JSON answer, or "the bearer was not accepted". Protocol errors (400 for
 * a body the spec forbids, 404, 405, 413) are answered by the server before a route runs.
 */
export type RouteResult =
  | { kind: 'json'; body: Record<string, unknown> }
  | { kind: 'unauthorized'; body: Record<string, unknown> };

export interface RouteContext {
  state: SimulatorState;
  validateTokenField: 'token' | 'newToken';
  req: IncomingMessage;
  /** The parsed JSON body, already checked against the operation's request schema in the spec. */
  body: unknown;
}

export interface Route {
  /** The path as the spec spells it (its request schema is looked up by it). */
  path: string;
  method: 'GET' | 'POST';
  /** Fields the operation answers in-band when missing or null, instead of with a 400. */
  inBandFields?: readonly string[];
  handle(context: RouteContext): RouteResult;
}

const OK = { success: true, errorCode: 0, errorMessage: null } as const;
const TOKEN_REJECTED = 'Token is missing, expired or invalid';

function failure(errorCode: number, errorMessage: string, extra: Record<string, unknown> = {}) {
  return { success: false, errorCode, errorMessage, ...extra };
}

/** The bearer token of the request, if it has a well-formed `Authorization: Bearer …`. */
function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * Run `handle` with the authenticated user, or answer "unauthorized" with the operation's body
 * form of a rejected token (used when the server runs with `unauthorizedStyle: 'body'`).
 */
function authenticated(
  context: RouteContext,
  rejectedExtra: Record<string, unknown>,
  handle: (auth: { token: string; claims: TokenClaims; user: MockUser }) => RouteResult,
): RouteResult {
  const token = bearer(context.req);
  const auth = token === undefined ? undefined : context.state.authenticate(token);
  if (!token || !auth) {
    return { kind: 'unauthorized', body: failure(3, TOKEN_REJECTED, rejectedExtra) };
  }
  return handle({ token, ...auth });
}

const loginKey: Route = {
  path: '/Auth/loginKey',
  method: 'POST',
  // The vendor answers missing credentials in-band ("userName and apiKey are required"), not with
  // a 400, although the spec marks both required (what a client must send).
  inBandFields: ['userName', 'apiKey'],
  handle({ body, state }) {
    const { userName, apiKey } = body as { userName?: string | null; apiKey?: string | null };
    if (typeof userName !== 'string' || typeof apiKey !== 'string' || !userName.trim() || !apiKey) {
      return { kind: 'json', body: failure(3, 'userName and apiKey are required', { token: null }) };
    }
    const user = state.findUser(userName.trim());
    if (!user) return { kind: 'json', body: failure(1, 'Invalid credentials', { token: null }) };
    if (user.apiKey !== apiKey)
      return { kind: 'json', body: failure(3, 'Invalid credentials', { token: null }) };
    if (user.disabled) return { kind: 'json', body: failure(3, 'Account is disabled', { token: null }) };
    if (user.subscribed === false) {
      return {
        kind: 'json',
        body: failure(9, 'A Pro subscription is required to use the API', { token: null }),
      };
    }
    return { kind: 'json', body: { ...OK, token: state.issueToken(user) } };
  },
};

const validate: Route = {
  path: '/Auth/validate',
  method: 'POST',
  handle(context) {
    const field = context.validateTokenField;
    return authenticated(context, { [field]: null }, ({ token, claims, user }) => ({
      kind: 'json',
      body: { ...OK, [field]: context.state.refresh(token, claims, user) },
    }));
  },
};

const logout: Route = {
  path: '/Auth/logout',
  method: 'POST',
  handle(context) {
    return authenticated(context, {}, ({ claims }) => {
      context.state.revokeSession(claims);
      return { kind: 'json', body: { ...OK } };
    });
  },
};

const ping: Route = {
  path: '/Status/ping',
  method: 'GET',
  handle() {
    return { kind: 'json', body: { ...OK } };
  },
};

const searchAccounts: Route = {
  path: '/Account/search',
  method: 'POST',
  handle(context) {
    // null means "not set", like absent: generated models in several languages send it that way.
    const only = (context.body as { onlyActiveAccounts?: boolean | null }).onlyActiveAccounts === true;
    return authenticated(context, { accounts: [] }, ({ user }) => {
      const accounts = (user.accounts ?? []).filter((account) => !only || account.canTrade);
      return { kind: 'json', body: { ...OK, accounts: accounts.map((account) => ({ ...account })) } };
    });
  },
};

/** Every operation of spec/openapi.yaml, keyed by lower-cased path (routing is case-insensitive). */
export const ROUTES: ReadonlyMap<string, Route> = new Map(
  [loginKey, validate, logout, ping, searchAccounts].map((route) => [route.path.toLowerCase(), route]),
);
