/**
 * Targets that told this worker to wait: a Retry-After (on a 429 or a 503)
 * speaks for the target, not for the one change that got it. Until the time
 * it gave, no job of the target starts or is claimed here (the jobs leased
 * ahead go back to the queue, no attempt spent), instead of every one of
 * them meeting the same answer and spending an attempt on it. Other worker
 * processes learn it from their own first refusal.
 */
export class TargetPauses {
  readonly #until = new Map<string, number>();

  /** Hold the target back until `untilMs` (epoch ms); a longer pause already set stands. */
  pause(target: string, untilMs: number): void {
    if (untilMs > (this.#until.get(target) ?? 0)) this.#until.set(target, untilMs);
  }

  isPaused(target: string, nowMs: number): boolean {
    const until = this.#until.get(target);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.#until.delete(target);
    return false;
  }

  /** When the target's pause ends (epoch ms); undefined when it has none. A past time means no wait. */
  readonly until = (target: string): number | undefined => this.#until.get(target);
}
