import type { Clock } from './clock.js';
import type { RateLimitAdmission, RateLimitBackend, RateLimitBudgetRule } from './rate-limiter.js';

/** A backend that answers at once (this process's own): the limiter can admit without a wait. */
export interface SyncBackend {
  takeNow(budget: string, rules: readonly RateLimitBudgetRule[]): RateLimitAdmission;
  releaseNow(budget: string, rules: readonly RateLimitBudgetRule[], ticket: unknown): void;
}

/** One admission, in the log of every rule it counted against; `atMs` moves when it is over. */
interface Place {
  atMs: number;
}

/**
 * Budgets counted in this process with a sliding log: per budget and rule, the last `limit`
 * admissions, oldest first. A request is admitted when fewer than `limit` of them lie within
 * the last `windowMs`, so no window of that length, wherever it starts, ever holds more than
 * `limit` admissions (a fixed window lets up to twice that through around its boundary). A
 * place counts from when its request left until it is released, then from its release.
 * Memory: `limit` places per rule and budget (a budget is a base URL and user), kept for the
 * life of the limiter.
 */
export function memoryRateLimitBackend(clock: Clock): RateLimitBackend & SyncBackend {
  /** budget → rule id → places, oldest first, at most `limit` of them. */
  const logs = new Map<string, Map<number, Place[]>>();

  const logOf = (budget: string, rule: RateLimitBudgetRule): Place[] => {
    let rulesOfBudget = logs.get(budget);
    if (!rulesOfBudget) {
      rulesOfBudget = new Map();
      logs.set(budget, rulesOfBudget);
    }
    let log = rulesOfBudget.get(rule.id);
    if (!log) {
      log = [];
      rulesOfBudget.set(rule.id, log);
    }
    return log;
  };

  return {
    async take(budget, rules) {
      return this.takeNow(budget, rules);
    },

    takeNow(budget, rules) {
      const now = clock.now();
      const blocked: number[] = [];
      let waitMs = 0;
      for (const rule of rules) {
        const log = logOf(budget, rule);
        while (log.length > 0 && log[0]!.atMs <= now - rule.windowMs) log.shift();
        if (log.length >= rule.limit) {
          blocked.push(rule.id);
          // The place frees when the admission `limit` places back leaves the window.
          waitMs = Math.max(waitMs, log[log.length - rule.limit]!.atMs + rule.windowMs - now);
        }
      }
      if (blocked.length > 0) return { granted: false, waitMs: Math.max(1, waitMs), blocked };
      const place: Place = { atMs: now };
      for (const rule of rules) {
        const log = logOf(budget, rule);
        log.push(place);
        if (log.length > rule.limit) log.shift();
      }
      return { granted: true, ticket: place };
    },

    async release(budget, rules, ticket) {
      this.releaseNow(budget, rules, ticket);
    },

    releaseNow(budget, rules, ticket) {
      const place = ticket as Place;
      place.atMs = clock.now();
      // Now is the latest time any place holds: moved to the end, every log stays in order.
      for (const rule of rules) {
        const log = logs.get(budget)?.get(rule.id);
        const index = log?.indexOf(place) ?? -1;
        if (log && index >= 0) log.push(...log.splice(index, 1));
      }
    },

    async pause() {
      // The limiter holds this process's own waiters; there is nobody else to tell.
    },
  };
}
