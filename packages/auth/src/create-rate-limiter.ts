import { abortReason } from './abort.js';
import { type Clock, systemClock } from './clock.js';
import { ConfigError, StoreError } from './errors.js';
import { memoryRateLimitBackend, type SyncBackend } from './memory-rate-limit.js';
import { type CompiledRule, compileRules } from './rate-limit-rules.js';
import {
  GATEWAY_RATE_LIMITS,
  type RateLimitBackend,
  type RateLimitedRequest,
  type RateLimiter,
  type RateLimitPermit,
  type RateLimitRule,
} from './rate-limiter.js';
import { rateLimitScopeId } from './store-support.js';

export interface RateLimiterOptions {
  /** The budgets; default {@link GATEWAY_RATE_LIMITS}. Custom rules replace the defaults. */
  rules?: readonly RateLimitRule[];
  /**
   * Extra wait added to every window, in ms, for the time a request spends between leaving
   * and reaching the server. Default 1 % of the window, between 100 ms and 1 s.
   */
  marginMs?: number;
  /** Where places are counted; default this process (`@testmax/redis` shares one). */
  backend?: RateLimitBackend;
  /** Time source for pauses and waits, for tests; default the system clock. */
  clock?: Clock;
}

/**
 * Admit `request` at once if nobody waits and its rules have room, without a promise (the
 * session's hot path); undefined when it must `acquire()` and wait. Only limiters counting in
 * this process have it.
 */
export const ADMIT_NOW = Symbol('testmax.admitNow');
export type AdmitNow = (request: RateLimitedRequest) => RateLimitPermit | undefined;

/** The permit of a backend that counts places from when requests leave. */
const NOTHING_TO_RELEASE: RateLimitPermit = Object.freeze({ done() {} });

interface Waiter {
  readonly rules: readonly CompiledRule[];
  readonly resolve: (permit: RateLimitPermit) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

interface Budget {
  readonly id: string;
  readonly queue: Waiter[];
  pausedUntil: number;
  /**
   * Rules the last pass found full, and until when at least: a waiter arriving before then
   * that needs one of them queues without asking the backend (a Redis round trip).
   */
  blockedRules: ReadonlySet<number>;
  blockedUntil: number;
  timer: unknown;
  /** A pass over the queue is running (it awaits the backend). */
  pumping: boolean;
  /** Something changed during the pass (an arrival, an abort): pass again before sleeping. */
  dirty: boolean;
}

/**
 * A client-side rate limiter: `acquire()` resolves when a request may be sent without
 * exceeding any matching rule, so the server's 429 is never met. Per budget (base URL and
 * user), waiting is first in, first out: a request never overtakes an earlier one that waits
 * for a place it also needs (it may pass one that waits only for a rule it does not need, so
 * an order is not held behind a queue of bars requests). `pause()` holds the budget after a
 * 429 that arrived anyway. Counting is a sliding window (see {@link memoryRateLimitBackend}).
 */
export function createRateLimiter(options: RateLimiterOptions = {}): Omit<RateLimiter, 'acquire'> & {
  /** See {@link RateLimiter.acquire}; this limiter always resolves to a permit. */
  acquire(request: RateLimitedRequest, signal?: AbortSignal): Promise<RateLimitPermit>;
  [ADMIT_NOW]?: AdmitNow;
} {
  const clock = options.clock ?? systemClock;
  const rules = compileRules(options.rules ?? GATEWAY_RATE_LIMITS, options.marginMs);
  const backend: RateLimitBackend & Partial<SyncBackend> = options.backend ?? memoryRateLimitBackend(clock);
  const budgets = new Map<string, Budget>();
  /** Budget ids by scope object: a session asks with the same scope every time. */
  const ids = new WeakMap<object, string>();
  /** The rules each path matches, for the paths seen lately (bounded: paths can be endless). */
  const matched = new Map<string, readonly CompiledRule[]>();
  const rulesFor = (path: string): readonly CompiledRule[] => {
    let found = matched.get(path);
    if (!found) {
      found = rules.filter((rule) => rule.matches(path));
      if (matched.size >= 256) matched.clear();
      matched.set(path, found);
    }
    return found;
  };
  let closed = false;

  function permitFor(budget: Budget, rules: readonly CompiledRule[], ticket: unknown): RateLimitPermit {
    const { release, releaseNow } = backend;
    if (ticket === undefined || !release) return NOTHING_TO_RELEASE;
    let open = true;
    return {
      done() {
        if (!open) return;
        open = false;
        if (releaseNow) releaseNow.call(backend, budget.id, rules, ticket);
        // A release that fails (Redis gone) leaves the place counted from when it left.
        else release.call(backend, budget.id, rules, ticket).catch(() => {});
      },
    };
  }

  function budgetOf(request: RateLimitedRequest): Budget {
    let id = ids.get(request.scope);
    if (id === undefined) {
      id = rateLimitScopeId(request);
      ids.set(request.scope, id);
    }
    let budget = budgets.get(id);
    if (!budget) {
      budget = {
        id,
        queue: [],
        pausedUntil: 0,
        blockedRules: new Set(),
        blockedUntil: 0,
        timer: undefined,
        pumping: false,
        dirty: false,
      };
      budgets.set(id, budget);
    }
    return budget;
  }

  function schedule(budget: Budget, ms: number): void {
    if (budget.timer !== undefined) clock.clearTimeout(budget.timer);
    budget.timer = clock.setTimeout(
      () => {
        budget.timer = undefined;
        void pump(budget);
      },
      Math.max(1, Math.ceil(ms)),
    );
  }

  function settle(budget: Budget, waiter: Waiter): void {
    const index = budget.queue.indexOf(waiter);
    if (index >= 0) budget.queue.splice(index, 1);
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    if (budget.queue.length === 0 && budget.timer !== undefined) {
      clock.clearTimeout(budget.timer);
      budget.timer = undefined;
    }
  }

  /**
   * One pass over the queue in order: a waiter needing a rule an earlier waiter is blocked on
   * waits behind it; the others ask the backend. Then sleep until the soonest place frees.
   */
  async function pump(budget: Budget): Promise<void> {
    if (budget.pumping) {
      budget.dirty = true;
      return;
    }
    budget.pumping = true;
    try {
      do {
        budget.dirty = false;
        const now = clock.now();
        if (budget.pausedUntil > now) {
          if (budget.queue.length > 0) schedule(budget, budget.pausedUntil - now);
          return;
        }
        // Places only free with time, so what was full stays full until then.
        const blocked = new Set<number>(now < budget.blockedUntil ? budget.blockedRules : []);
        let waitMs = Number.POSITIVE_INFINITY;
        for (const waiter of [...budget.queue]) {
          if (!budget.queue.includes(waiter)) continue; // aborted during the pass
          if (budget.pausedUntil > clock.now()) {
            budget.dirty = true; // paused during the pass: the next one waits it out
            break;
          }
          if (waiter.rules.some((rule) => blocked.has(rule.id))) continue;
          const admission = await backend.take(budget.id, waiter.rules);
          if (admission.granted) {
            const permit = permitFor(budget, waiter.rules, admission.ticket);
            if (budget.queue.includes(waiter)) {
              settle(budget, waiter);
              waiter.resolve(permit);
            } else {
              // An abort that landed while the backend answered wins: the place is spent, unused.
              permit.done();
            }
            continue;
          }
          waitMs = Math.min(waitMs, admission.waitMs);
          if (admission.blocked.length === 0) break; // the whole budget is paused elsewhere
          for (const id of admission.blocked) blocked.add(id);
        }
        if (Number.isFinite(waitMs)) {
          budget.blockedRules = blocked;
          budget.blockedUntil = now + waitMs;
        }
        // Whoever is still queued waits for a place that frees by blockedUntil, whether this
        // pass asked the backend or knew it from the last one.
        if (!budget.dirty && budget.queue.length > 0) schedule(budget, budget.blockedUntil - clock.now());
      } while (budget.dirty);
    } catch (error) {
      // The backend failed (Redis down or slow): every waiter would fail the same way, one
      // timeout after another, so all of them are told now.
      const failure =
        error instanceof StoreError
          ? error
          : new StoreError('The rate limiter could not reach its backend.', { cause: error });
      for (const waiter of [...budget.queue]) {
        settle(budget, waiter);
        waiter.reject(failure);
      }
    } finally {
      budget.pumping = false;
    }
  }

  const admitNow: AdmitNow = (request) => {
    const { takeNow } = backend;
    if (closed || !takeNow) return undefined;
    const budget = budgetOf(request);
    const now = clock.now();
    if (budget.queue.length > 0 || budget.pumping || budget.pausedUntil > now) return undefined;
    const matching = rulesFor(request.path);
    if (now < budget.blockedUntil && matching.some((rule) => budget.blockedRules.has(rule.id))) {
      return undefined;
    }
    const admission = takeNow.call(backend, budget.id, matching);
    return admission.granted ? permitFor(budget, matching, admission.ticket) : undefined;
  };

  return {
    [ADMIT_NOW]: admitNow,

    acquire(request: RateLimitedRequest, signal?: AbortSignal): Promise<RateLimitPermit> {
      if (closed) return Promise.reject(closedError());
      let budget: Budget;
      try {
        if (typeof request?.path !== 'string') {
          throw new ConfigError('A rate-limited request needs a path.');
        }
        budget = budgetOf(request);
      } catch (error) {
        return Promise.reject(error);
      }
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      const matching = rulesFor(request.path);
      return new Promise<RateLimitPermit>((resolve, reject) => {
        const waiter: Waiter = {
          rules: matching,
          resolve,
          reject,
          signal,
          onAbort: () => {
            if (!budget.queue.includes(waiter)) return;
            settle(budget, waiter);
            reject(abortReason(signal as AbortSignal));
            // The places it was first in line for go to the next waiters now.
            void pump(budget);
          },
        };
        budget.queue.push(waiter);
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        void pump(budget);
      });
    },

    pause(request: RateLimitedRequest, ms: number): void {
      if (closed || !(ms > 0) || !Number.isFinite(ms)) return;
      const budget = budgetOf(request);
      budget.pausedUntil = Math.max(budget.pausedUntil, clock.now() + ms);
      // Shared backends tell the fleet; a failure there must not reach the caller of pause().
      backend.pause(budget.id, ms).catch(() => {});
      if (budget.queue.length > 0) schedule(budget, budget.pausedUntil - clock.now());
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const budget of budgets.values()) {
        for (const waiter of [...budget.queue]) {
          settle(budget, waiter);
          waiter.reject(closedError());
        }
        if (budget.timer !== undefined) clock.clearTimeout(budget.timer);
      }
      budgets.clear();
      await backend.close?.();
    },
  };
}

function closedError(): StoreError {
  return new StoreError('The rate limiter is closed.', { reason: 'invalid' });
}
