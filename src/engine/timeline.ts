import type { Identity, LifecycleEvent } from '../core/types.js';

/** An event of `explain`'s timeline: the stored event, and the date it takes effect when that is not its `effectiveAt`. */
export interface TimelineEvent extends LifecycleEvent {
  /**
   * The start date of the employment a joiner or rehire began, when its
   * `effectiveAt` is only when Roster first read it: a start already past at
   * that read is stored as the read's time (lifecycle/events.ts). Absent on
   * every other event.
   */
  readonly effectiveDate?: string;
}

/** When an event takes effect: its `effectiveDate`, else its `effectiveAt`. */
export function effectiveTime(event: TimelineEvent): string {
  return event.effectiveDate ?? event.effectiveAt;
}

/**
 * An identity's events (as the store recorded them, oldest first) in the
 * order they take effect, ties in recorded order: a future-dated leaver
 * recorded with the hire comes after the movers recorded since, and a joiner
 * read after its start comes at its start date. The joiner or rehire that
 * began the current employment gets that employment's start (the identity's
 * `startAt`) when its own time is the read's; earlier employments' start
 * dates are not kept, and theirs stay the read's time.
 */
export function effectiveTimeline(events: readonly LifecycleEvent[], identity: Pick<Identity, 'startAt'>): TimelineEvent[] {
  const timeline: TimelineEvent[] = [...events];
  const start = identity.startAt;
  const last = findLastIndex(timeline, (e) => e.kind === 'joiner' || e.kind === 'rehire');
  const began = timeline[last];
  if (start !== undefined && began !== undefined && began.effectiveAt === began.recordedAt && start !== began.effectiveAt) {
    timeline[last] = { ...began, effectiveDate: start };
  }
  const at = (event: TimelineEvent): number => {
    const time = Date.parse(effectiveTime(event));
    return Number.isNaN(time) ? Date.parse(event.recordedAt) : time;
  };
  // Array.prototype.sort is stable: equal times keep the recorded order.
  return timeline.sort((a, b) => at(a) - at(b));
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}
