/** At most `limit` requests per `windowMs` to the paths the rule matches, per client. */
export interface MockRateLimitRule {
  /**
   * Which requests count: a path such as `'/History/retrieveBars'` (matched against the end of
   * the request path, case-insensitively, on a segment boundary), a RegExp tested against the
   * path, or none for every request.
   */
  readonly path?: string | RegExp | undefined;
  readonly limit: number;
  readonly windowMs: number;
}

/** The gateway's documented limits: 200 / 60 s for every endpoint, 50 / 30 s for bars. */
export const GATEWAY_RATE_LIMITS: readonly MockRateLimitRule[] = Object.freeze([
  Object.freeze({ limit: 200, windowMs: 60_000 }),
  Object.freeze({ path: '/History/retrieveBars', limit: 50, windowMs: 30_000 }),
]);

interface Rule {
  readonly limit: number;
  readonly windowMs: number;
  readonly matches: (path: string) => boolean;
}

/**
 * The simulator's enforcement: a sliding log per client and rule. A request is answered when
 * fewer than `limit` requests of the rule were answered for the client in the last `windowMs`
 * (counted on arrival); a refused request takes no place. The strictest reading of "200 per
 * 60 s": no window of 60 s, wherever it starts, holds more than 200.
 */
export class RateLimits {
  readonly #rules: readonly Rule[];
  readonly #now: () => number;
  /** client → rule index → arrival times, oldest first, at most `limit`. */
  readonly #logs = new Map<string, number[][]>();

  constructor(rules: readonly MockRateLimitRule[], now: () => number) {
    this.#rules = checkRules(rules);
    this.#now = now;
  }

  /** Count the request, or say how long the client must wait (in ms) without counting it. */
  admit(client: string, path: string): { admitted: true } | { admitted: false; retryAfterMs: number } {
    const now = this.#now();
    let logs = this.#logs.get(client);
    if (!logs) {
      logs = this.#rules.map(() => []);
      this.#logs.set(client, logs);
    }
    const matching = this.#rules.flatMap((rule, index) => (rule.matches(path) ? [index] : []));
    let retryAfterMs = 0;
    for (const index of matching) {
      const rule = this.#rules[index]!;
      const log = logs[index]!;
      while (log.length > 0 && log[0]! <= now - rule.windowMs) log.shift();
      if (log.length >= rule.limit) {
        retryAfterMs = Math.max(retryAfterMs, log[log.length - rule.limit]! + rule.windowMs - now);
      }
    }
    if (retryAfterMs > 0) return { admitted: false, retryAfterMs };
    for (const index of matching) {
      const log = logs[index]!;
      log.push(now);
      if (log.length > this.#rules[index]!.limit) log.shift();
    }
    return { admitted: true };
  }
}

/** `'200/60s'`, `'50/30s:/History/retrieveBars'`, `'5/1500ms'`, `'100/2m'`: one rule. */
export function parseRateLimit(text: string): MockRateLimitRule {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*(ms|s|m)?\s*(?::\s*(\S+))?\s*$/i.exec(text);
  if (!match) {
    throw new RangeError(`a rate limit looks like LIMIT/WINDOW[ms|s|m][:PATH] (e.g. 200/60s), got "${text}"`);
  }
  const unit = (match[3] ?? 's').toLowerCase();
  const windowMs = Number(match[2]) * (unit === 'ms' ? 1 : unit === 'm' ? 60_000 : 1_000);
  return { limit: Number(match[1]), windowMs, ...(match[4] ? { path: match[4] } : {}) };
}

function checkRules(rules: readonly MockRateLimitRule[]): Rule[] {
  if (!Array.isArray(rules))
    throw new RangeError('rateLimits must be an array of { path?, limit, windowMs }');
  return rules.map((rule, index) => {
    const where = `rateLimits[${index}]`;
    if (typeof rule !== 'object' || rule === null) throw new RangeError(`${where} must be an object`);
    if (!Number.isSafeInteger(rule.limit) || rule.limit < 1) {
      throw new RangeError(`${where}.limit must be a whole number >= 1, got ${String(rule.limit)}`);
    }
    if (!Number.isSafeInteger(rule.windowMs) || rule.windowMs < 1) {
      throw new RangeError(
        `${where}.windowMs must be a whole number of ms >= 1, got ${String(rule.windowMs)}`,
      );
    }
    return { limit: rule.limit, windowMs: rule.windowMs, matches: matcher(rule.path, where) };
  });
}

function matcher(path: MockRateLimitRule['path'], where: string): (path: string) => boolean {
  if (path === undefined) return () => true;
  if (path instanceof RegExp) {
    const pattern = new RegExp(path.source, path.flags.replace(/[gy]/g, ''));
    return (requestPath) => pattern.test(requestPath);
  }
  if (typeof path !== 'string' || path.trim() === '') {
    throw new RangeError(`${where}.path must be a non-empty string or a RegExp`);
  }
  const suffix = `/${trimSlashes(path).toLowerCase()}`;
  return (requestPath) => {
    const normalised = `/${trimSlashes(requestPath).toLowerCase()}`;
    return normalised === suffix || normalised.endsWith(suffix);
  };
}

function trimSlashes(path: string): string {
  return path.trim().replace(/^\/+|\/+$/g, '');
}
