import type { Clock } from './clock.js';
import type { RateLimitAdmission, RateLimitBackend, RateLimitBudgetRule } from './rate-limiter.js';

/**
 * Budgets counted in this process with a sliding log: per budget and rule, the times of the
 * last `limit` admissions. A request is admitted when fewer than `limit` of them lie within
 * the last `windowMs`, so no window of that length, wherever it starts, ever holds more than
 * `limit` admissions (a fixed window lets up to twice that through around its boundary).
 * Memory: `limit` numbers per rule and budget (a budget is a base URL and user), kept for the
 * life of the limiter.
 */
export function memoryRateLimitBackend(clock: Clock): RateLimitBackend {
  /** budget → rule id → admission times, oldest first, at most `limit` of them. */
  const logs = new Map<string, Map<number, number[]>>();

  return {
    async take(budget: string, rules: readonly RateLimitBudgetRule[]): Promise<RateLimitAdmission> {
      const now = clock.now();
      let rulesOfBudget = logs.get(budget);
      if (!rulesOfBudget) {
        rulesOfBudget = new Map();
        logs.set(budget, rulesOfBudget);
      }
      const blocked: number[] = [];
      let waitMs = 0;
      for (const rule of rules) {
        const log = rulesOfBudget.get(rule.id) ?? [];
        while (log.length > 0 && log[0]! <= now - rule.windowMs) log.shift();
        rulesOfBudget.set(rule.id, log);
        if (log.length >= rule.limit) {
          blocked.push(rule.id);
          // The place frees when the admission `limit` places back leaves the window.
          waitMs = Math.max(waitMs, log[log.length - rule.limit]! + rule.windowMs - now);
        }
      }
      if (blocked.length > 0) return { granted: false, waitMs: Math.max(1, waitMs), blocked };
      for (const rule of rules) {
        const log = rulesOfBudget.get(rule.id)!;
        log.push(now);
        if (log.length > rule.limit) log.shift();
      }
      return { granted: true };
    },

    async pause() {
      // The limiter holds this process's own waiters; there is nobody else to tell.
    },
  };
}
