/**
 * Time, injectable so tests can move it. `now` drives token lifetimes; `setTimeout` drives
 * request timeouts and retry back-off.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A monotonic-ish reading for log timings, independent of the injected clock. */
export function elapsedSince(start: number): number {
  return Math.round(performanceNow() - start);
}

export function performanceNow(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
