/**
 * The tap's one request budget: at most `size` HTTP requests to the WMS in flight at once,
 * whatever asks for them (streams, their windows, probes). Waiters are served in arrival order.
 * A request waiting for its retry holds no place.
 */
export class RequestBudget {
  private inFlight = 0;
  private highest = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!(Number.isInteger(size) && size >= 1))
      throw new RangeError(`request budget must be >= 1, got ${size}`);
  }

  /** The most requests that were in flight at once. */
  get peak(): number {
    return this.highest;
  }

  /** Waits for a place; the returned function gives it back (to the next waiter, if any). */
  async acquire(): Promise<() => void> {
    if (this.inFlight >= this.size) {
      // The place is handed over by the request that ends: inFlight stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.inFlight++;
      this.highest = Math.max(this.highest, this.inFlight);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) this.inFlight--;
      else next();
    };
  }
}
