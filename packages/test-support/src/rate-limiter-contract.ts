/**
 * How every RateLimiter of @testmax/auth behaves (the in-process one and Redis's), written once.
 * Structural types, as in token-store-contract.ts. Waits are asserted by counting, never by
 * timing: a request that should wait sits behind a window far longer than the test, so "still
 * pending" cannot be a slow machine, and one that should pass would time the test out if it
 * waited.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Scope {
  readonly baseUrl: string;
  readonly userName: string;
  readonly profile?: string | undefined;
}
interface Request {
  readonly scope: Scope;
  readonly path: string;
}
export interface PermitUnderTest {
  done(): void;
}
export interface LimiterUnderTest {
  // biome-ignore lint/suspicious/noConfusingVoidType: a limiter of your own may be an async function returning nothing
  acquire(request: Request, signal?: AbortSignal): Promise<PermitUnderTest | void>;
  pause(request: Request, ms: number): void;
  close?(): Promise<void>;
}
export interface RuleUnderTest {
  readonly path?: string | RegExp;
  readonly limit: number;
  readonly windowMs: number;
}

export interface LimiterBacking {
  /** A limiter on this backing; for a shared backing each call is a new instance sharing it. */
  open(options: { rules: RuleUnderTest[]; marginMs?: number }): LimiterUnderTest | Promise<LimiterUnderTest>;
  dispose(): Promise<void>;
}

export interface RateLimiterContractOptions {
  backing(): Promise<LimiterBacking>;
  /** Limiters opened on one backing share budgets (a fleet): run the sharing tests. */
  shared: boolean;
}

const SCOPE: Scope = { baseUrl: 'http://127.0.0.1:4010', userName: 'bot@example.com' };
const ANY = { scope: SCOPE, path: '/api/topstep-sim/Account/search' };
const BARS = { scope: SCOPE, path: '/api/topstep-sim/History/retrieveBars' };
/** Longer than any test: a request waiting for it is still waiting when the test looks. */
const LONG_MS = 600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => sleep(150);

/** A promise's state without waiting for it. */
function track(promise: Promise<unknown>) {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

export function describeRateLimiterContract(name: string, options: RateLimiterContractOptions): void {
  describe(`RateLimiter behaviour: ${name}`, () => {
    let backing: LimiterBacking;
    const opened: LimiterUnderTest[] = [];
    const open = async (rules: RuleUnderTest[], marginMs?: number) => {
      const limiter = await backing.open({ rules, ...(marginMs === undefined ? {} : { marginMs }) });
      opened.push(limiter);
      return limiter;
    };
    beforeEach(async () => {
      backing = await options.backing();
    });
    afterEach(async () => {
      for (const limiter of opened.splice(0)) await limiter.close?.();
      await backing.dispose();
    });

    it('admits limit requests at once and holds the next until a place frees', async () => {
      const limiter = await open([{ limit: 3, windowMs: LONG_MS }]);
      await Promise.all([limiter.acquire(ANY), limiter.acquire(ANY), limiter.acquire(ANY)]);
      const fourth = track(limiter.acquire(ANY));
      await tick();
      expect(fourth.settled).toBe(false);
    });

    it('never admits more than limit in any window of windowMs (a sliding window)', async () => {
      const windowMs = 300;
      // The margin covers the lag between an admission and this test seeing it: a loaded machine
      // that sees one admission late must not make two look closer than the window.
      const limiter = await open([{ limit: 3, windowMs }], 300);
      const admittedAt: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, () => limiter.acquire(ANY).then(() => admittedAt.push(Date.now()))),
      );
      admittedAt.sort((a, b) => a - b);
      for (let i = 3; i < admittedAt.length; i += 1) {
        expect(admittedAt[i]! - admittedAt[i - 3]!).toBeGreaterThanOrEqual(windowMs);
      }
    });

    it('counts a place from when its request is over, not when it left (transit never leaks a 429)', async () => {
      const windowMs = 2_000;
      const limiter = await open([{ limit: 1, windowMs }], 0);
      const inFlight = await limiter.acquire(ANY);
      // A slow request: over half a window after it left. The server counted it when it
      // arrived, somewhere in between, so the next request waits a window from the end.
      await sleep(windowMs / 2);
      inFlight?.done();
      const next = track(limiter.acquire(ANY));
      // A window after it left, half a window before its place frees.
      await sleep((windowMs * 3) / 4);
      expect(next.settled).toBe(false);
      await vi.waitFor(() => expect(next.settled).toBe(true), { timeout: windowMs * 2, interval: 50 });
      expect(next.error).toBeUndefined();
    });

    it('serves waiters first in, first out', async () => {
      const limiter = await open([{ limit: 2, windowMs: 250 }]);
      const order: number[] = [];
      await Promise.all(Array.from({ length: 7 }, (_, i) => limiter.acquire(ANY).then(() => order.push(i))));
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('rejects with the signal reason, at once for a signal already aborted, and takes no place', async () => {
      const limiter = await open([{ limit: 2, windowMs: LONG_MS }]);
      const reason = new Error('caller gave up');
      await expect(limiter.acquire(ANY, AbortSignal.abort(reason))).rejects.toBe(reason);
      // Both places are still there: neither of these may wait a window.
      await limiter.acquire(ANY);
      await limiter.acquire(ANY);
    });

    it('an aborted waiter leaves the queue: the one behind it gets the place', async () => {
      const limiter = await open([{ limit: 2, windowMs: LONG_MS }]);
      await limiter.acquire(ANY); // one place left
      limiter.pause(ANY, 400); // everyone queues behind the pause
      const controller = new AbortController();
      const first = limiter.acquire(ANY, controller.signal);
      const second = limiter.acquire(ANY);
      const third = track(limiter.acquire(ANY));
      const reason = new Error('first gave up');
      controller.abort(reason);
      await expect(first).rejects.toBe(reason);
      await second; // the last place: it would wait LONG_MS had the aborted waiter taken it
      await tick();
      expect(third.settled).toBe(false);
    });

    it('pause holds every request of the budget, then lets them through', async () => {
      const limiter = await open([{ limit: 100, windowMs: 1_000 }]);
      limiter.pause(ANY, LONG_MS);
      const controller = new AbortController();
      const held = track(limiter.acquire(ANY, controller.signal));
      await tick();
      expect(held.settled).toBe(false);
      controller.abort(new Error('done waiting'));
      await tick();
      expect(held.error).toMatchObject({ message: 'done waiting' });

      // Another user's budget, which the long pause does not hold: a short pause ends by itself.
      const other = { ...ANY, scope: { ...SCOPE, userName: 'other@example.com' } };
      limiter.pause(other, 300);
      await limiter.acquire(other);
    });

    it('a shorter pause never shortens a longer one', async () => {
      const limiter = await open([{ limit: 100, windowMs: 1_000 }]);
      limiter.pause(ANY, LONG_MS);
      limiter.pause(ANY, 10);
      const held = track(limiter.acquire(ANY, AbortSignal.timeout(2_000)));
      await tick();
      await tick();
      expect(held.settled).toBe(false);
    });

    it('keeps one budget per base URL and user; profiles of a user share it', async () => {
      const limiter = await open([{ limit: 1, windowMs: LONG_MS }]);
      await limiter.acquire(ANY);
      await limiter.acquire({ ...ANY, scope: { ...SCOPE, userName: 'other@example.com' } });
      await limiter.acquire({ ...ANY, scope: { ...SCOPE, baseUrl: 'http://127.0.0.1:4011' } });
      const sameUser = track(limiter.acquire({ ...ANY, scope: { ...SCOPE, profile: 'paper' } }));
      await tick();
      expect(sameUser.settled).toBe(false);
    });

    it('counts a request against every rule its path matches, and only those', async () => {
      const limiter = await open([
        { limit: 3, windowMs: LONG_MS },
        { path: '/History/retrieveBars', limit: 1, windowMs: LONG_MS },
      ]);
      await limiter.acquire(BARS);
      const secondBars = track(limiter.acquire(BARS));
      // Not held behind the bars request: it needs no bars place.
      await limiter.acquire(ANY);
      await limiter.acquire(ANY);
      await tick();
      expect(secondBars.settled).toBe(false);
      // The global rule is full now (bars + 2): everything waits.
      const third = track(limiter.acquire(ANY));
      await tick();
      expect(third.settled).toBe(false);
    });

    it('matches a string rule on the end of the path, case-insensitively, on a segment boundary', async () => {
      const limiter = await open([{ path: '/history/retrievebars', limit: 1, windowMs: LONG_MS }]);
      await limiter.acquire({ ...BARS, path: '/api/topstep-sim/History/retrieveBars/' });
      await limiter.acquire({ ...BARS, path: '/api/topstep-sim/MyHistory/retrieveBars' });
      await limiter.acquire(ANY);
      const second = track(limiter.acquire(BARS));
      await tick();
      expect(second.settled).toBe(false);
    });

    it('rejects what it is still holding when closed, and anything asked afterwards', async () => {
      const limiter = await open([{ limit: 1, windowMs: LONG_MS }]);
      await limiter.acquire(ANY);
      const waiting = limiter.acquire(ANY);
      await limiter.close?.();
      await expect(waiting).rejects.toMatchObject({ name: 'StoreError' });
      await expect(limiter.acquire(ANY)).rejects.toMatchObject({ name: 'StoreError' });
    });

    it('refuses bad rules with a ConfigError naming the rule', async () => {
      await expect(Promise.resolve().then(() => open([{ limit: 0, windowMs: 1000 }]))).rejects.toMatchObject({
        name: 'ConfigError',
        message: expect.stringContaining('rule 1'),
      });
      await expect(
        Promise.resolve().then(() =>
          open([
            { limit: 1, windowMs: 1000 },
            { limit: 1, windowMs: -5 },
          ]),
        ),
      ).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringContaining('rule 2') });
    });

    if (options.shared)
      describe('shared by several limiters (a fleet)', () => {
        it('one budget for all of them', async () => {
          const [a, b] = [
            await open([{ limit: 2, windowMs: LONG_MS }]),
            await open([{ limit: 2, windowMs: LONG_MS }]),
          ];
          await a.acquire(ANY);
          await b.acquire(ANY);
          const third = track(a.acquire(ANY));
          const fourth = track(b.acquire(ANY));
          await tick();
          expect([third.settled, fourth.settled]).toEqual([false, false]);
        });

        it('a pause one of them sets holds the others', async () => {
          const [a, b] = [
            await open([{ limit: 100, windowMs: 1_000 }]),
            await open([{ limit: 100, windowMs: 1_000 }]),
          ];
          a.pause(ANY, LONG_MS);
          await tick(); // the pause travels to the shared backend
          const held = track(b.acquire(ANY, AbortSignal.timeout(2_000)));
          await tick();
          expect(held.settled).toBe(false);
        });

        it('never admits more than limit in any window across them', async () => {
          const windowMs = 300;
          const limiters = [
            await open([{ limit: 3, windowMs }], 300),
            await open([{ limit: 3, windowMs }], 300),
          ];
          const admittedAt: number[] = [];
          await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              limiters[i % 2]!.acquire(ANY).then(() => admittedAt.push(Date.now())),
            ),
          );
          admittedAt.sort((a, b) => a - b);
          for (let i = 3; i < admittedAt.length; i += 1) {
            expect(admittedAt[i]! - admittedAt[i - 3]!).toBeGreaterThanOrEqual(windowMs);
          }
        });
      });
  });
}
