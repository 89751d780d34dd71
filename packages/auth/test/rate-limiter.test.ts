import { GATEWAY_RATE_LIMITS as SIMULATOR_RATE_LIMITS } from '@testmax/mock-server';
import { ManualClock } from '@testmax/test-support/manual-clock';
import { describeRateLimiterContract } from '@testmax/test-support/rate-limiter-contract';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createRateLimiter,
  GATEWAY_RATE_LIMITS,
  type RateLimitBackend,
  StoreError,
} from '../src/index.js';
import { rateLimitWindowMs } from '../src/rate-limit-rules.js';

describeRateLimiterContract('createRateLimiter (in-process)', {
  shared: false,
  async backing() {
    return { open: (options) => createRateLimiter(options), dispose: async () => {} };
  },
});

const scope = { baseUrl: 'https://api.test-max.com/api/topstep-sim', userName: 'bot@example.com' };
const search = { scope, path: '/api/topstep-sim/Account/search' };
const bars = { scope, path: '/api/topstep-sim/History/retrieveBars' };

/** Settle the promises a pass of the limiter chains (each backend answer is one): a real macrotask. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function counter(limiter: ReturnType<typeof createRateLimiter>, request = search) {
  const state = { admitted: 0, errors: [] as unknown[] };
  const ask = (signal?: AbortSignal) =>
    limiter.acquire(request, signal).then(
      () => {
        state.admitted += 1;
      },
      (error: unknown) => {
        state.errors.push(error);
      },
    );
  return { state, ask };
}

describe('createRateLimiter on a fake clock', () => {
  it('waits exactly until the oldest admission leaves the window (plus the margin)', async () => {
    const clock = new ManualClock(0, { timers: 'fake' });
    const limiter = createRateLimiter({ rules: [{ limit: 2, windowMs: 1_000 }], marginMs: 50, clock });
    const { state, ask } = counter(limiter);
    void ask();
    clock.advance(400);
    void ask();
    void ask();
    await flush();
    expect(state.admitted).toBe(2);
    expect(clock.pendingDelays()).toEqual([650]); // first admission at 0 leaves at 1050
    clock.advance(649);
    await flush();
    expect(state.admitted).toBe(2);
    clock.advance(1);
    await flush();
    expect(state.admitted).toBe(3);
  });

  it("a place counts from its permit's first done(); a second done() does not move it", async () => {
    const clock = new ManualClock(0, { timers: 'fake' });
    const limiter = createRateLimiter({ rules: [{ limit: 1, windowMs: 1_000 }], marginMs: 0, clock });
    const permit = await limiter.acquire(search);
    clock.advance(1_000);
    permit.done(); // over at 1000: the place frees at 2000
    clock.advance(500);
    permit.done(); // again at 1500: nothing changes
    const { state, ask } = counter(limiter);
    void ask();
    await flush();
    expect(state.admitted).toBe(0);
    expect(clock.pendingDelays()).toEqual([500]);
    clock.advance(500);
    await flush();
    expect(state.admitted).toBe(1);
  });

  it('is a sliding window: no burst of twice the limit around a window boundary', async () => {
    const clock = new ManualClock(0, { timers: 'fake' });
    const limiter = createRateLimiter({ rules: [{ limit: 2, windowMs: 1_000 }], marginMs: 0, clock });
    const { state, ask } = counter(limiter);
    clock.set(900);
    void ask();
    clock.set(950);
    void ask();
    await flush();
    // A fixed window starting at 0 would open two new places at 1000.
    clock.set(1_000);
    void ask();
    void ask();
    await flush();
    expect(state.admitted).toBe(2);
    clock.set(1_899);
    await flush();
    expect(state.admitted).toBe(2);
    clock.set(1_900);
    await flush();
    expect(state.admitted).toBe(3);
    clock.set(1_950);
    await flush();
    expect(state.admitted).toBe(4);
  });

  it('pause holds for exactly its time, and a 429 pause in the middle of a queue keeps the order', async () => {
    const clock = new ManualClock(0, { timers: 'fake' });
    const limiter = createRateLimiter({ rules: [{ limit: 10, windowMs: 1_000 }], clock });
    const order: number[] = [];
    limiter.pause(search, 2_000);
    for (let i = 0; i < 3; i += 1) void limiter.acquire(search).then(() => order.push(i));
    await flush();
    expect(clock.pendingDelays()).toEqual([2_000]);
    clock.advance(1_999);
    await flush();
    expect(order).toEqual([]);
    clock.advance(1);
    await flush();
    expect(order).toEqual([0, 1, 2]);
  });

  it('ignores a pause that is not a positive number of ms', async () => {
    const limiter = createRateLimiter({ rules: [{ limit: 10, windowMs: 1_000 }] });
    for (const ms of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) limiter.pause(search, ms);
    await limiter.acquire(search);
  });

  it('uses the gateway limits by default: 200 per 60 s, of which 50 per 30 s for bars', async () => {
    expect(GATEWAY_RATE_LIMITS).toEqual([
      { limit: 200, windowMs: 60_000 },
      { path: '/History/retrieveBars', limit: 50, windowMs: 30_000 },
    ]);
    const clock = new ManualClock(0, { timers: 'fake' });
    const limiter = createRateLimiter({ clock });
    const barsCount = counter(limiter, bars);
    for (let i = 0; i < 51; i += 1) void barsCount.ask();
    await flush();
    expect(barsCount.state.admitted).toBe(50);
    const searchCount = counter(limiter, search);
    for (let i = 0; i < 151; i += 1) void searchCount.ask();
    await flush();
    expect(searchCount.state.admitted).toBe(150);
    // The bars waiter is first in line for the global rule now: 30 s (+300 ms) later it goes.
    clock.advance(rateLimitWindowMs(30_000));
    await flush();
    expect(barsCount.state.admitted).toBe(50);
    expect(searchCount.state.admitted).toBe(150);
    clock.advance(rateLimitWindowMs(60_000) - rateLimitWindowMs(30_000));
    await flush();
    expect(barsCount.state.admitted).toBe(51);
    expect(searchCount.state.admitted).toBe(151);
  });

  it('counts the limits the simulator enforces by default (each package states them; they must agree)', () => {
    expect(GATEWAY_RATE_LIMITS).toEqual(SIMULATOR_RATE_LIMITS);
  });

  it('adds a margin of 1 % of the window, between 100 ms and 1 s', () => {
    expect(rateLimitWindowMs(60_000)).toBe(60_600);
    expect(rateLimitWindowMs(30_000)).toBe(30_300);
    expect(rateLimitWindowMs(1_000)).toBe(1_100);
    expect(rateLimitWindowMs(3_600_000)).toBe(3_601_000);
    expect(rateLimitWindowMs(1_000, 0)).toBe(1_000);
  });

  it('refuses rules that are not rules', () => {
    for (const rules of [
      'nope',
      [{ limit: 1.5, windowMs: 10 }],
      [{ limit: 1, windowMs: 0 }],
      [{ limit: 1, windowMs: 10, path: '' }],
      [null],
    ]) {
      expect(() => createRateLimiter({ rules: rules as never })).toThrow(ConfigError);
    }
    expect(() => createRateLimiter({ marginMs: -1 })).toThrow(ConfigError);
  });

  it('rejects a request without a path or scope with a ConfigError', async () => {
    const limiter = createRateLimiter();
    await expect(limiter.acquire({ scope } as never)).rejects.toBeInstanceOf(ConfigError);
    await expect(limiter.acquire({ path: '/x' } as never)).rejects.toBeInstanceOf(ConfigError);
  });

  it('a backend that fails rejects every waiter of the budget at once with a StoreError', async () => {
    let calls = 0;
    const failing: RateLimitBackend = {
      async take() {
        calls += 1;
        throw new Error('connection refused');
      },
      async pause() {},
    };
    const limiter = createRateLimiter({ backend: failing });
    const results = await Promise.allSettled([
      limiter.acquire(search),
      limiter.acquire(search),
      limiter.acquire(search),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
      expect((result as PromiseRejectedResult).reason.cause).toMatchObject({ message: 'connection refused' });
    }
    // One failed call answered everybody queued behind it.
    expect(calls).toBe(1);
  });

  it('a pause the backend cannot record is no error for the caller of pause()', async () => {
    const backend: RateLimitBackend = {
      take: async () => ({ granted: true }),
      pause: async () => {
        throw new Error('redis down');
      },
    };
    const limiter = createRateLimiter({ backend });
    expect(() => limiter.pause(search, 10)).not.toThrow();
    await limiter.acquire(search);
  });
});
