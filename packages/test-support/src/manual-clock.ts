/** The shape of a clock the SDK accepts (`AuthSession({ clock })`). */
interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * A clock whose `now` moves only when told, shared by the session and the mock server so
 * token lifetimes pass instantly.
 *
 * Timers are real by default (they only pace retries, which those tests keep at a few ms).
 * With `{ timers: 'fake' }` they run on this clock too: a timeout or a `Retry-After` wait
 * fires only when `advance` reaches it, so a test can assert the exact wait the SDK chose
 * (`pendingDelays()`) and never sleeps for real.
 */
export class ManualClock implements Clock {
  #now: number;
  readonly #fake: boolean;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1), options: { timers?: 'real' | 'fake' } = {}) {
    this.#now = start;
    this.#fake = options.timers === 'fake';
  }

  now = (): number => this.#now;

  /** Jump to an absolute time in epoch ms (fake timers due by then fire, in order). */
  set(ms: number): void {
    this.advance(ms - this.#now);
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].callback();
    }
    this.#now = target;
  }

  /** How far in the future each waiting fake timer is, soonest first. */
  pendingDelays(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  setTimeout(callback: () => void, ms: number): unknown {
    if (!this.#fake) return setTimeout(callback, ms);
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (this.#fake) this.#timers.delete(handle as number);
    else clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
