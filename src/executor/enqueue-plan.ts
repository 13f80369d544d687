import type { Change, Plan } from '../core/types.js';
import { QueuedChanges } from '../planner/queued.js';
import type { QueuedChange } from '../store/queued-changes.js';
import type { EnqueueJob, QueueStore } from '../store/types.js';

/** Jobs per enqueue transaction. */
const ENQUEUE_BATCH = 5_000;

/** A change of the plan left out when it was enqueued: another plan had queued its equal meanwhile. */
export interface LeftOutChange {
  readonly change: Change;
  /** The plan whose unfinished job has the same effect. */
  readonly queuedBy: string;
}

export interface EnqueuePlanOptions {
  /**
   * Re-check against the queue as each batch is inserted (store/enqueue.ts):
   * a change another plan has waiting with the same effect (planner/queued.ts),
   * enqueued after this plan was made (by another process), is left out,
   * audited as `plan.already_queued` in the same transaction by `actor`, and
   * handed here. Without it the plan's jobs are enqueued as they are.
   */
  readonly leftOut?: { readonly actor: string; readonly report: (left: readonly LeftOutChange[]) => void };
  /** Who withdraws the plan's `withdrawn` changes (their audit entries' actor); default: leftOut's actor, else 'system'. */
  readonly actor?: string;
}

/** Enqueue the plan's jobs in batches; returns those enqueued (all of them unless `leftOut` left some out). */
export async function enqueuePlanJobs(
  queue: QueueStore, plan: Plan, jobs: readonly EnqueueJob[], now: () => Date, options: EnqueuePlanOptions = {},
): Promise<EnqueueJob[]> {
  const left: LeftOutChange[] = [];
  const leftIds = new Set<string>();
  // The queued changes the plan withdraws, with its first batch (or alone): cancelled, or the plan refused as stale, before any job is in.
  const actor = options.actor ?? options.leftOut?.actor ?? 'system';
  const withdraw = plan.withdrawn === undefined || plan.withdrawn.length === 0 ? undefined : { planId: plan.id, actor, changes: plan.withdrawn };
  for (let i = 0; i < Math.max(jobs.length, withdraw === undefined ? 0 : 1); i += ENQUEUE_BATCH) {
    const batch = jobs.slice(i, i + ENQUEUE_BATCH);
    const leaveOut = options.leftOut === undefined ? undefined : leaver(plan.id, batch, options.leftOut.actor);
    const result = await queue.enqueue(batch, {
      now: now(), ...(leaveOut === undefined ? {} : { leaveOut }), ...(i === 0 && withdraw !== undefined ? { withdraw } : {}),
    });
    const byId = result.leftOut.length === 0 ? undefined : new Map(batch.map((job) => [job.id, job]));
    for (const { jobId, queuedBy } of result.leftOut) {
      const job = byId!.get(jobId)!;
      left.push({ change: job.change, queuedBy });
      leftIds.add(jobId);
    }
  }
  if (left.length > 0) options.leftOut!.report(left);
  return leftIds.size === 0 ? [...jobs] : jobs.filter((job) => !leftIds.has(job.id));
}

/** The store's leaveOut for one batch: the rule plans apply (QueuedChanges), with one audit entry per target. */
function leaver(planId: string, batch: readonly EnqueueJob[], actor: string) {
  return (waiting: readonly QueuedChange[]) => {
    const queued = new QueuedChanges(waiting);
    const jobs = new Map<string, string>();
    const perTarget = new Map<string, { changeIds: string[]; plans: Set<string> }>();
    for (const job of batch) {
      const by = queued.queuedBy(job.change);
      if (by === undefined) continue;
      jobs.set(job.id, by);
      const entry = perTarget.get(job.target) ?? { changeIds: [], plans: new Set<string>() };
      entry.changeIds.push(job.change.id);
      entry.plans.add(by);
      perTarget.set(job.target, entry);
    }
    const audit = [...perTarget].map(([target, { changeIds, plans }]) => ({
      kind: 'plan.already_queued', actor, target, reasons: ['plan.already_queued'],
      data: { planId, leftOut: changeIds.length, queuedBy: [...plans], changeIds },
    }));
    return { jobs, audit };
  };
}
