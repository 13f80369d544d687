import type { Change, DesiredAccount, LinkedAccount } from '../core/types.js';
import type { WithdrawnChange } from '../core/withdrawn.js';
import type { WaitingChange } from './queued.js';

/** Reason code of a queued change a plan withdraws (Plan.withdrawn): it is cancelled, never run. */
export const WITHDRAWN = 'queued.withdrawn';

/**
 * The changes an earlier plan has waiting for one account that this plan
 * withdraws, and the waiting changes that stay. A change that waits (a
 * quarantined target, retries, a big apply ahead) may run days after it was
 * planned; undoing it afterwards cannot undo everything: a delete destroys
 * the account (its mailbox, home, history in the target, its entryUUID) and
 * a create makes a new one; a disable locks the person out until the enable
 * runs, and an enable of a rehire sets new credentials. So a plan whose
 * person should keep the account withdraws a pending (not started) delete of
 * an account that exists before it, and one whose person should stay enabled
 * a pending disable, and diffs the account against its link with the
 * changes that stay (planner/superseded.ts). A change already running is
 * not withdrawn (it may be under way at the target): the plan follows it as
 * before. Not when policy could not decide (`undecided`): the account is
 * left as it is and so is the queue.
 */
export function withdrawnFor(
  desired: DesiredAccount, link: LinkedAccount | undefined, waiting: readonly WaitingChange[],
): { readonly withdrawn: WithdrawnChange[]; readonly staying: Change[] } {
  const withdrawn: WithdrawnChange[] = [];
  const staying: Change[] = [];
  if (!desired.present || desired.undecided === true) return { withdrawn, staying: waiting.map((w) => w.change) };
  let exists = link !== undefined;
  for (const waits of waiting) {
    const { change } = waits;
    const unwanted = (change.action === 'delete' && exists) || (change.action === 'disable' && desired.enabled);
    if (unwanted && waits.status === 'pending' && waits.jobId !== undefined) {
      withdrawn.push({ jobId: waits.jobId, queuedBy: waits.planId, change: unsealed(change), reasons: [WITHDRAWN, ...desired.reasons.filter((r) => r !== WITHDRAWN)] });
      continue;
    }
    if (change.action === 'delete') exists = false;
    else if (change.action === 'create') exists = true;
    staying.push(change);
  }
  return { withdrawn, staying };
}

/** The change as listed and audited: without sealed secret values (only the executor opens them; the plan and audit never hold them). */
function unsealed(change: Change): Change {
  if (change.after?.sealed === undefined) return change;
  const { sealed: _, ...after } = change.after;
  return { ...change, after };
}
