/**
 * Time, injectable so tests can move it. `now` drives token lifetimes; `setTimeout` drives
 * request timeouts and retry back-off.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The longest delay timers keep (2³¹−1 ms, about 24.8 days): a longer one fires after 1 ms in
 * Node and browsers alike, so a generous `timeoutMs` would time out every request at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A monotonic-ish reading for log timings, independent of the injected clock. */
export function elapsedSince(start: number): number {
  return Math.round(performanceNow() - start);
}

export function performanceNow(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
