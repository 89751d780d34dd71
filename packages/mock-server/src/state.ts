import { randomUUID } from 'node:crypto';
import { DEMO_ACCOUNTS } from './demo-user.js';
import { signJwt, type TokenClaims, verifyJwt } from './jwt.js';
import type { MockUser } from './types.js';

export interface StateOptions {
  users: MockUser[];
  tokenLifetimeSec: number;
  refreshWindowSec: number;
  now: () => number;
  secret: string;
}

/**
 * Users and live sessions. A token is usable while its signature is good, it has not expired,
 * its user exists and is enabled, and its `jti` is still registered (logout unregisters it).
 */
export class SimulatorState {
  readonly #users = new Map<string, MockUser>();
  /**
   * jti → its session (tokens refreshed by validate join the session they came from) and its
   * exact expiry. The `exp` claim is whole seconds, so the server keeps the precise instant:
   * a token lives exactly `tokenLifetimeSec` from issue, as a client anchoring `exp - iat` to
   * its own clock at receipt expects.
   */
  readonly #tokens = new Map<string, { session: string; expiresAtMs: number }>();
  readonly #options: StateOptions;

  constructor(options: StateOptions) {
    this.#options = options;
    for (const user of options.users) this.setUser(user);
  }

  setUser(user: MockUser): void {
    if (!user || typeof user.userName !== 'string' || typeof user.apiKey !== 'string') {
      throw new TypeError('a mock user needs a string userName and apiKey');
    }
    this.#users.set(user.userName.toLowerCase(), {
      ...user,
      accounts: (user.accounts ?? DEMO_ACCOUNTS).map((account) => ({ ...account })),
    });
  }

  findUser(userName: string): MockUser | undefined {
    return this.#users.get(userName.toLowerCase());
  }

  issueToken(user: MockUser, session: string = randomUUID()): string {
    const nowMs = this.#options.now();
    for (const [jti, entry] of this.#tokens) if (entry.expiresAtMs <= nowMs) this.#tokens.delete(jti);
    const iat = Math.floor(nowMs / 1000);
    const jti = randomUUID();
    this.#tokens.set(jti, { session, expiresAtMs: nowMs + this.#options.tokenLifetimeSec * 1000 });
    return signJwt(
      { sub: user.userName, iat, exp: iat + this.#options.tokenLifetimeSec, jti },
      this.#options.secret,
    );
  }

  /** The user name a token this simulator signed was issued to (expired or revoked alike). */
  userOf(token: string): string | undefined {
    return verifyJwt(token, this.#options.secret)?.sub;
  }

  /** The claims and user of a usable token, or `undefined`. */
  authenticate(token: string): { claims: TokenClaims; user: MockUser } | undefined {
    const claims = verifyJwt(token, this.#options.secret);
    const entry = claims && this.#tokens.get(claims.jti);
    if (!claims || !entry || this.#options.now() >= entry.expiresAtMs) return undefined;
    const user = this.findUser(claims.sub);
    if (!user || user.disabled) return undefined;
    return { claims, user };
  }

  /** Validate: the same token outside the refresh window, a new one (same session) inside it. */
  refresh(token: string, claims: TokenClaims, user: MockUser): string {
    const entry = this.#tokens.get(claims.jti);
    if (!entry) return token;
    const remainingSec = (entry.expiresAtMs - this.#options.now()) / 1000;
    if (remainingSec > this.#options.refreshWindowSec) return token;
    return this.issueToken(user, entry.session);
  }

  /** Logout ends the whole session: the token and any token refreshed from it or to it. */
  revokeSession(claims: TokenClaims): void {
    const session = this.#tokens.get(claims.jti)?.session;
    for (const [jti, entry] of this.#tokens) if (entry.session === session) this.#tokens.delete(jti);
  }

  revokeAll(): void {
    this.#tokens.clear();
  }
}
