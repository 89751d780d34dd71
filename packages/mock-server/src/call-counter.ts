/**
 * Distinct paths the simulator counts one by one. Its own routes always are; other paths only
 * until this many are known, after which they share one count, so a client (or a scanner)
 * requesting endless distinct paths cannot grow the server's memory.
 */
export const MAX_COUNTED_PATHS = 256;

/** Requests per normalised path, with unknown paths bounded (see {@link MAX_COUNTED_PATHS}). */
export class CallCounter {
  readonly #perPath = new Map<string, number>();
  /** Requests to unknown paths that came after the table was full: in the total only. */
  #uncounted = 0;

  add(key: string, known: boolean): void {
    const current = this.#perPath.get(key);
    if (current !== undefined) this.#perPath.set(key, current + 1);
    else if (known || this.#perPath.size < MAX_COUNTED_PATHS) this.#perPath.set(key, 1);
    else this.#uncounted++;
  }

  /** Requests to `key`, or to every path when it is undefined. */
  count(key: string | undefined): number {
    if (key !== undefined) return this.#perPath.get(key) ?? 0;
    let total = this.#uncounted;
    for (const n of this.#perPath.values()) total += n;
    return total;
  }

  /** How many paths are counted one by one (for tests of the bound). */
  get paths(): number {
    return this.#perPath.size;
  }

  clear(): void {
    this.#perPath.clear();
    this.#uncounted = 0;
  }
}
