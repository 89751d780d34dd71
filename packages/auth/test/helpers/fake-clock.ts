import type { Clock } from '../../src/index.js';

/**
 * A clock whose `now` moves only when told, shared by the session and the mock server so
 * token lifetimes pass instantly. Timers stay real: they only pace retries, which tests keep
 * at a few milliseconds.
 */
export class FakeClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now = (): number => this.#now;

  /** Jump to an absolute time in epoch ms. */
  set(ms: number): void {
    this.#now = ms;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    return setTimeout(callback, ms);
  }

  clearTimeout(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
