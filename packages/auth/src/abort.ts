import { type Clock, MAX_TIMER_MS } from './clock.js';

/** A signal for one attempt: aborts on the caller's signal or when the attempt times out. */
export interface AttemptSignal {
  readonly signal: AbortSignal;
  /** True when this attempt was cut by its timeout (not by the caller). */
  readonly timedOut: boolean;
  /** Stop the timer and detach from the caller's signal. */
  dispose(): void;
  /**
   * Stop the timer only: the caller's signal stays linked so it can still abort a response
   * body the caller is reading.
   */
  disposeTimer(): void;
  /** End the attempt now (an answer too big to read): the runtime closes the connection. */
  abort(): void;
}

export function attemptSignal(
  caller: AbortSignal | undefined,
  timeoutMs: number,
  clock: Clock,
): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  let detach = () => {};
  let signal = controller.signal;
  if (caller && typeof AbortSignal.any === 'function') {
    // AbortSignal.any links without adding an 'abort' listener to the caller's signal, so one
    // long-lived signal shared by many requests neither leaks nor trips MaxListeners warnings.
    signal = AbortSignal.any([caller, controller.signal]);
  } else if (caller) {
    const onAbort = () => controller.abort(caller.reason);
    caller.addEventListener('abort', onAbort, { once: true });
    if (caller.aborted) controller.abort(caller.reason);
    detach = () => caller.removeEventListener('abort', onAbort);
  }
  const timer =
    // Beyond what a timer can hold there is no practical difference from "no timeout".
    timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS
      ? clock.setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException('The request timed out.', 'TimeoutError'));
        }, timeoutMs)
      : undefined;
  return {
    signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      if (timer !== undefined) clock.clearTimeout(timer);
      detach();
    },
    disposeTimer() {
      if (timer !== undefined) clock.clearTimeout(timer);
    },
    abort() {
      controller.abort(new DOMException('The response was too large.', 'AbortError'));
    },
  };
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted.', 'AbortError');
}

/**
 * Wait for a shared promise (a login, a refresh) unless the caller's signal fires first. The
 * shared operation keeps running for everybody else: one caller giving up never cancels it.
 */
export function untilAborted<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) {
    shared.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Sleep on the injected clock; rejects with the signal's reason if aborted. */
export function sleep(ms: number, clock: Clock, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
