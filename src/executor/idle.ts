import type { JobState, QueueStore } from '../store/types.js';

/** Waiting longer than this for a retry or an abandoned lease is not "until idle": return instead. */
export const MAX_IDLE_WAIT_MS = 30_000;

/**
 * How long to wait before a plan's unfinished jobs (of the given targets) can
 * run: undefined when none is left or the soonest is further away than
 * MAX_IDLE_WAIT_MS; at least `pollMs` when one is blocked behind another
 * worker's job. Capped at one second so progress elsewhere is noticed. A
 * pending job of a target that asked this worker to wait (`pausedUntil`,
 * epoch ms) is due when the pause ends, if that is later.
 */
export function idleWait(
  jobs: readonly JobState[], activeTargets: ReadonlySet<string>, now: Date, pollMs: number,
  pausedUntil: (target: string) => number | undefined = () => undefined,
): number | undefined {
  let soonest: number | undefined;
  for (const job of jobs) {
    if (!activeTargets.has(job.target)) continue;
    let at: number;
    if (job.status === 'pending') at = Math.max(Date.parse(job.nextRunAt), pausedUntil(job.target) ?? 0);
    else if (job.status === 'running') at = job.leaseUntil === undefined ? now.getTime() : Date.parse(job.leaseUntil);
    else continue;
    const wait = at - now.getTime();
    soonest = soonest === undefined ? wait : Math.min(soonest, wait);
  }
  if (soonest === undefined || soonest > MAX_IDLE_WAIT_MS) return undefined;
  return Math.min(Math.max(soonest, pollMs), 1000);
}

/** Whether any of these targets still has a job pending or running (any plan's, any worker's). */
export async function hasUnfinished(queue: Pick<QueueStore, 'stats'>, targets: ReadonlySet<string>): Promise<boolean> {
  for (const target of targets) {
    const stats = await queue.stats({ target });
    if (stats.pending + stats.running > 0) return true;
  }
  return false;
}
