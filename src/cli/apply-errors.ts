import { notAttemptedCause } from '../executor/dependents.js';

/** One line of an apply's errors: a change's error, with the changes of its account left not attempted because of it. */
export interface ErrorLine {
  readonly changeId: string;
  readonly error: string;
  /** The changes not attempted because this create failed for good (executor/dependents.ts), folded into its line. */
  readonly notAttempted: readonly string[];
}

/**
 * An apply's errors as an operator reads them: one line per cause. A change
 * not attempted because its account's create failed for good is folded into
 * that create's line (the same target and identity, its change id's prefix,
 * and the create's error), so 200 refused joiners read as 200 causes, not
 * as 800 failures, 600 of which only repeat them. One whose create is not
 * among the errors (another plan's) keeps a line of its own: its error names
 * the create and why it failed.
 */
export function errorLines(errors: readonly { readonly changeId: string; readonly error: string }[]): ErrorLine[] {
  const creates = new Map<string, { readonly error: string; readonly notAttempted: string[] }>();
  for (const e of errors) if (e.changeId.endsWith(':create') && notAttemptedCause(e.error) === undefined) creates.set(e.changeId, { error: e.error, notAttempted: [] });
  const folded = new Set<string>();
  for (const e of errors) {
    const cause = notAttemptedCause(e.error)?.cause;
    if (cause === undefined) continue;
    // Change ids are `${target}:${identity}:${action}…`: the longest create prefix is the account's own.
    let best: string | undefined;
    for (const [id, create] of creates) {
      const prefix = id.slice(0, -'create'.length);
      if (create.error === cause && e.changeId.startsWith(prefix) && (best === undefined || id.length > best.length)) best = id;
    }
    if (best === undefined) continue;
    creates.get(best)!.notAttempted.push(e.changeId);
    folded.add(e.changeId);
  }
  return errors.filter((e) => !folded.has(e.changeId)).map((e) => ({ ...e, notAttempted: creates.get(e.changeId)?.notAttempted ?? [] }));
}

/** `4 failed` → `4 failed (1 create failed, 3 changes of its account not attempted)` when any were folded. */
export function failedBreakdown(lines: readonly ErrorLine[]): string {
  const causes = lines.filter((l) => l.notAttempted.length > 0).length;
  const skipped = lines.reduce((n, l) => n + l.notAttempted.length, 0);
  if (skipped === 0) return '';
  return ` (${causes} ${causes === 1 ? 'create' : 'creates'} failed, ${skipped} ${skipped === 1 ? 'change' : 'changes'} of ${causes === 1 ? 'its account' : 'their accounts'} not attempted)`;
}
