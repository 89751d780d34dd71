/**
 * At most one run of an operation at a time (octokit's auth does the same): callers that
 * arrive while it runs share its promise. The slot is freed in `finally`, so a failure is
 * never cached.
 */
export class SingleFlight<T> {
  #current: Promise<T> | undefined;

  get inFlight(): boolean {
    return this.#current !== undefined;
  }

  /** The run in progress, if any. */
  get current(): Promise<T> | undefined {
    return this.#current;
  }

  /**
   * Let the next caller start a new run; callers already waiting keep the old promise. Used
   * when the old run's result is known to be void (a logout happened).
   */
  forget(): void {
    this.#current = undefined;
  }

  run(operation: () => Promise<T>): Promise<T> {
    if (this.#current) return this.#current;
    // Deferring through `then` keeps a synchronous throw inside `operation` a rejection.
    const flight: Promise<T> = Promise.resolve()
      .then(operation)
      .finally(() => {
        if (this.#current === flight) this.#current = undefined;
      });
    this.#current = flight;
    return flight;
  }
}
