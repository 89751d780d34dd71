/**
 * At most one run of an operation at a time: callers that arrive while it runs share its
 * promise. The slot is freed in `finally`, so a failure is never cached.
 */
export class SingleFlight<T> {
  #current: Promise<T> | undefined;

  get inFlight(): boolean {
    return this.#current !== undefined;
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
