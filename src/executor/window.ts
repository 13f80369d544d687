/**
 * Most jobs one target may have leased to this worker at once: big enough
 * that a fast target (a directory taking thousands of adds a second) is fed
 * by a few large claims, not by many small transactions.
 */
export const MAX_WINDOW = 1024;

/** Weight of the newest run time in the moving average. */
const WEIGHT = 0.2;

/**
 * How many jobs of a target to lease ahead: enough to keep its slots busy
 * between claims, few enough that the last of them still starts well inside
 * its lease (a quarter of it) at the target's measured pace.
 */
export class PrefetchWindow {
  readonly #averageMs = new Map<string, number>();

  /** One job's connector work took `ms`. */
  record(target: string, ms: number): void {
    const previous = this.#averageMs.get(target);
    this.#averageMs.set(target, previous === undefined ? ms : previous + WEIGHT * (ms - previous));
  }

  size(target: string, concurrency: number, leaseMs: number): number {
    const average = this.#averageMs.get(target);
    if (average === undefined) return Math.min(MAX_WINDOW, concurrency * 4);
    const fits = Math.floor((concurrency * leaseMs) / (4 * Math.max(average, 0.05)));
    return Math.max(concurrency, Math.min(MAX_WINDOW, fits));
  }
}
