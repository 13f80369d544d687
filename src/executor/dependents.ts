import type { AuditEntryInput, Change, Job } from '../core/types.js';
import { withoutSealed } from '../core/secrets.js';
import type { FailDependents } from '../store/types.js';

/**
 * The changes queued behind a create that failed for good, which cannot
 * succeed without it: the account was never made, so a grant, an update or
 * an enable of it would only fail in turn with an error of its own ("account
 * … is not in target …") that says nothing of the cause. They are not
 * attempted: each is failed with the create, in the same transaction
 * (QueueStore.fail's `dependents`), with an error naming the create and its
 * error, and a `change.not_attempted` audit entry instead of `change.failed`,
 * so the log, `roster apply` and `roster status` count one cause and its
 * dependents rather than as many failures.
 *
 * Only a create that found no link has dependents: one that ran over a link
 * (apply-change.ts createOverLink) fails with the account there, and the
 * changes behind it run against it (failure.ts). An update, enable, grant or
 * revoke that fails leaves the account there: the changes after it are attempted as before
 * (each stands on its own: a grant does not need the title an update failed
 * to write). A create that fails in a retryable way is not failed yet: its
 * dependents wait behind it in the queue (the ordering key), as they did.
 */

/** How the error of a change not attempted begins. */
export const NOT_ATTEMPTED = 'not attempted: ';
/** The audit kind of a change not attempted. */
export const NOT_ATTEMPTED_KIND = 'change.not_attempted';

/** The account a create makes, as an operator knows it: its account key's value, else the identity. */
export function accountName(change: Change, accountKey: string | undefined): string {
  const value = accountKey === undefined ? undefined : change.after?.attributes?.[accountKey];
  return typeof value === 'string' && value !== '' ? value : change.identity;
}

/** `not attempted: the create of <account> on <target> failed: <its error>`. */
export function notAttemptedError(create: Change, accountKey: string | undefined, error: string): string {
  return `${NOT_ATTEMPTED}the create of ${accountName(create, accountKey)} on ${create.target} failed: ${error}`;
}

/** The error of a change not attempted, read back: the account, the target and the create's error; undefined for any other error. */
export function notAttemptedCause(error: string): { readonly account: string; readonly target: string; readonly cause: string } | undefined {
  const match = /^not attempted: the create of (.+?) on (\S+) failed: ([\s\S]*)$/.exec(error);
  return match === null ? undefined : { account: match[1]!, target: match[2]!, cause: match[3]! };
}

/**
 * Which of the waiting jobs (the pending jobs of the create's ordering key
 * queued after it, in the order they would run) depend on the failed create
 * `failed`: every later change of its own plan (planned for the account the
 * create makes), and the changes of later plans made while it waited (the
 * planner diffs against the link as it will be once the queue has run), up
 * to another plan's create of the account, which the changes after it stand
 * on instead. A later plan's delete is left to run: with no account linked it
 * is done at once ("gone"), the outcome it wants.
 */
export function dependentJobs(failed: Job, waiting: readonly Job[]): Job[] {
  const picked: Job[] = [];
  let own = true;
  for (const job of waiting) {
    if (job.planId === failed.planId) {
      picked.push(job);
      continue;
    }
    if (!own) continue;
    if (job.change.action === 'create') own = false;
    else if (job.change.action !== 'delete') picked.push(job);
  }
  return picked;
}

/**
 * QueueStore.fail's `dependents` for a create failed for good with `error`
 * (as recorded, redacted; `code` its code), and the jobs it failed, read once
 * the fail is written (the store's last call: a transaction run again picks again).
 */
export function failDependentsOf(failed: Job, error: string, code: string, actor: string, accountKey: string | undefined): { readonly dependents: FailDependents; readonly failed: () => readonly Job[]; readonly error: string } | undefined {
  if (failed.change.action !== 'create') return undefined;
  const said = notAttemptedError(failed.change, accountKey, error);
  let picked: readonly Job[] = [];
  const dependents: FailDependents = (waiting) => {
    const jobs = dependentJobs(failed, waiting);
    picked = jobs;
    const audit: AuditEntryInput[] = jobs.map(({ change, planId }) => ({
      kind: NOT_ATTEMPTED_KIND, actor, identity: change.identity, target: change.target, reasons: change.reasons,
      // Like change.failed: never the sealed secret values (ChangeState.sealed).
      before: change.before, after: withoutSealed(change.after),
      data: {
        planId, changeId: change.id, action: change.action, error: said,
        cause: { planId: failed.planId, changeId: failed.change.id, action: 'create', code, error },
      },
    }));
    return { jobs: new Map(jobs.map((job) => [job.id, said])), audit };
  };
  return { dependents, failed: () => picked, error: said };
}
