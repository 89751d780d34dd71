import { ConfigError } from './errors.js';
import type { RateLimitBudgetRule, RateLimitRule } from './rate-limiter.js';

/** A checked rule with its id and the window the limiter counts with. */
export interface CompiledRule extends RateLimitBudgetRule {
  readonly matches: (path: string) => boolean;
}

/**
 * The window a limiter counts with: the rule's, plus a margin. The server counts a request when
 * it arrives; the limiter counts it from when it is over (`RateLimitPermit.done`), which is
 * later, so transit alone can never let the next window's first request reach the server
 * inside the old window. The margin covers what is left: clocks that tick in whole ms or
 * seconds, a server that counts a little before it answers, and requests whose permit is never
 * released (then counted from when they left). 1 % of the window, at least 100 ms and at most
 * 1 s (a 60 s window loses 1.6 % of its throughput).
 */
export function rateLimitWindowMs(windowMs: number, marginMs?: number): number {
  const margin = marginMs ?? Math.min(1_000, Math.max(100, Math.round(windowMs * 0.01)));
  return windowMs + margin;
}

/** Check rules and give each an id and a matcher; throws a {@link ConfigError} naming the bad one. */
export function compileRules(rules: readonly RateLimitRule[], marginMs?: number): readonly CompiledRule[] {
  if (!Array.isArray(rules)) {
    throw new ConfigError('Rate limit rules must be an array of { path?, limit, windowMs }.');
  }
  if (marginMs !== undefined && !(Number.isFinite(marginMs) && marginMs >= 0)) {
    throw new ConfigError(
      `A rate limit margin must be a number of milliseconds >= 0, got ${String(marginMs)}.`,
    );
  }
  return rules.map((rule, id) => {
    const where = `Rate limit rule ${id + 1}`;
    if (typeof rule !== 'object' || rule === null) {
      throw new ConfigError(`${where} must be an object { path?, limit, windowMs }.`);
    }
    if (!Number.isSafeInteger(rule.limit) || rule.limit < 1) {
      throw new ConfigError(`${where}: limit must be a whole number >= 1, got ${String(rule.limit)}.`);
    }
    if (!Number.isSafeInteger(rule.windowMs) || rule.windowMs < 1) {
      throw new ConfigError(
        `${where}: windowMs must be a whole number of milliseconds >= 1, got ${String(rule.windowMs)}.`,
      );
    }
    const { matches, text } = pathMatcher(rule.path, where);
    return {
      id,
      key: `${rule.limit}/${rule.windowMs}${text ? ` ${text}` : ''}`,
      limit: rule.limit,
      windowMs: rateLimitWindowMs(rule.windowMs, marginMs),
      matches,
    };
  });
}

/**
 * A string rule path matches the end of the request path, case-insensitively and ignoring a
 * trailing slash (the API routes so), on a segment boundary: `/Account/search` counts
 * `/api/topstep-sim/Account/search`, not `/MyAccount/search`. A RegExp is tested as given.
 */
function pathMatcher(
  path: RateLimitRule['path'],
  where: string,
): { matches: (path: string) => boolean; text: string } {
  if (path === undefined) return { matches: () => true, text: '' };
  if (path instanceof RegExp) {
    const pattern = new RegExp(path.source, path.flags.replace(/[gy]/g, ''));
    return { matches: (requestPath) => pattern.test(requestPath), text: String(pattern) };
  }
  if (typeof path !== 'string' || path.trim() === '') {
    throw new ConfigError(`${where}: path must be a non-empty string or a RegExp when given.`);
  }
  const suffix = `/${trimSlashes(path).toLowerCase()}`;
  return {
    matches: (requestPath) => {
      const normalised = `/${trimSlashes(requestPath.split('?')[0] ?? '').toLowerCase()}`;
      return normalised === suffix || normalised.endsWith(suffix);
    },
    text: suffix,
  };
}

function trimSlashes(path: string): string {
  return path.trim().replace(/^\/+|\/+$/g, '');
}
