import { createHash } from 'node:crypto';
import { type RateLimitBudgetRule, type TokenScope, tokenScopeId } from '@testmax/auth';

/**
 * The key layout. Scopes and budgets appear only as SHA-256 hashes (of base URL, user and
 * profile; of base URL and user), never as text, so keys reveal no e-mail address; the API key
 * is never part of anything stored. `{…}` is a Redis Cluster hash tag: every key of one scope
 * or budget lives on one node, which the multi-key scripts need.
 *
 *   <prefix>token:{<scope hash>}            hash: token, generation, receivedAt, refused
 *   <prefix>lock:{<scope hash>}             string: the holder's random id, with a PX expiry
 *   <prefix>rate:{<budget hash>}:pause      string, with a PX expiry: the budget is paused
 *   <prefix>rate:{<budget hash>}:<rule>     sorted set: admission times of the rule's window
 */
export function tokenKeys(prefix: string, scope: TokenScope): { token: string; lock: string } {
  const tag = `{${sha256(tokenScopeId(scope))}}`;
  return { token: `${prefix}token:${tag}`, lock: `${prefix}lock:${tag}` };
}

/** `budget` is the limiter's budget id (its base URL and user, as text): hashed here. */
export function rateKeys(
  prefix: string,
  budget: string,
  rules: readonly RateLimitBudgetRule[],
): { pause: string; rules: string[] } {
  const base = `${prefix}rate:{${sha256(budget)}}`;
  return { pause: `${base}:pause`, rules: rules.map((rule) => `${base}:${sha256(rule.key).slice(0, 16)}`) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
