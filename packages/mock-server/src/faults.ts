import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Fault } from './types.js';

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** Per-path FIFO queues of faults; `'*'` applies to every path after the path's own queue. */
export class FaultQueue {
  readonly #queues = new Map<string, QueuedFault[]>();

  add(path: string, fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`fault.times must be a positive integer, got ${String(fault.times)}`);
    }
    if (
      fault.status !== undefined &&
      (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599)
    ) {
      throw new RangeError(
        `fault.status must be a final HTTP status code (200-599), got ${String(fault.status)}`,
      );
    }
    // Checked now, so a typo fails the test that injects it rather than a request later.
    for (const [name, value] of Object.entries(fault.headers ?? {})) {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    }
    const key = normalisePath(path);
    const queue = this.#queues.get(key) ?? [];
    queue.push({ fault, remaining: times });
    this.#queues.set(key, queue);
  }

  /** Take the next fault for `path`, consuming one of its `times`. */
  take(path: string): Fault | undefined {
    return this.#takeFrom(normalisePath(path)) ?? this.#takeFrom('*');
  }

  clear(): void {
    this.#queues.clear();
  }

  #takeFrom(key: string): Fault | undefined {
    const queue = this.#queues.get(key);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    return head.fault;
  }
}

/** Paths match case-insensitively, as the ASP.NET routing of the real service does. */
export function normalisePath(path: string): string {
  return path === '*' ? path : path.toLowerCase();
}
