import type { Change, ChangeAction, Diagnostic, Plan } from '../core/types.js';
import type { IngestResult } from '../engine/types.js';
import { referencedAccount } from '../core/references.js';
import type { AccountNames, AccountOwners } from './account-references.js';
import { plural, table, truncate, type Style } from './format.js';
import { placementText } from './placement-text.js';

const ACTIONS: readonly ChangeAction[] = ['create', 'update', 'enable', 'disable', 'delete', 'grant', 'revoke'];

/** The `plan --json` shape: exactly these keys, stable for scripts. `ingests`: the source reads before the plan, whose problems lead its diagnostics. */
export function planJson(plan: Plan, ingests: readonly IngestResult[] = []) {
  return {
    id: plan.id,
    basis: plan.basis,
    changes: plan.changes.map((c) => ({
      id: c.id, identity: c.identity, target: c.target, action: c.action, before: c.before, after: c.after, reasons: c.reasons,
    })),
    summary: plan.summary,
    held: plan.held,
    holds: plan.holds,
    diagnostics: [...ingests.flatMap(ingestDiagnostics), ...plan.diagnostics],
    // Only when the plan withdraws queued changes (planner/withdrawn.ts): each names the job and the plan that queued it.
    ...(plan.withdrawn === undefined || plan.withdrawn.length === 0 ? {} : { withdrawn: plan.withdrawn }),
  };
}

/** A source read as diagnostics: each row it skipped (`source.row_skipped`, with its line and key), then what the merge found. */
export function ingestDiagnostics(ingest: IngestResult): (Diagnostic & { readonly source?: string })[] {
  return [
    ...ingest.problems.map((p) => ({
      severity: 'warning' as const, code: 'source.row_skipped', message: problemText(p), source: ingest.sourceId, line: p.line, ...(p.key ? { key: p.key } : {}),
    })),
    ...ingest.diagnostics.map((d) => ({ ...d, source: ingest.sourceId })),
  ];
}

/**
 * A file's row by its line; a directory entry (`entry` set) by its key alone: its message names the entry's DN, and
 * its `line` is only where the entry came in the server's answer (`--json` keeps it).
 */
const problemText = (p: IngestResult['problems'][number]): string =>
  p.entry !== undefined ? `${p.key ? `${p.key}: ` : ''}${p.message}` : `line ${p.line}${p.key ? ` (${p.key})` : ''}: ${p.message}`;

/** Skipped rows `sync` and `plan` print per source; `--json` lists them all. */
const PROBLEMS_SHOWN = 20;

/** What the merge found worth a person's eyes (a key respelled or held by two rows, a read that looks truncated): its warnings and errors. */
function noted(ingest: IngestResult): readonly Diagnostic[] {
  return ingest.diagnostics.filter((d) => d.severity !== 'info');
}

/** Whether `sync`, `plan` and `apply` print a source read: it skipped rows, or the merge warns of something. */
export function ingestWorthShowing(ingest: IngestResult): boolean {
  return ingest.problems.length > 0 || noted(ingest).length > 0;
}

/**
 * What `sync` and `plan` print for a source read: its counts, the rows it
 * skipped and why, then the merge's warnings (the first 20 of each, and how
 * many more: `--json` lists them all).
 */
export function ingestText(ingest: IngestResult, style: Style): string {
  const more = ingest.problems.length - PROBLEMS_SHOWN;
  const warnings = noted(ingest);
  const moreWarnings = warnings.length - PROBLEMS_SHOWN;
  return [
    `Source ${ingest.sourceId}: ${ingest.received} received, ${ingest.created} new, ${ingest.changed} changed, ${ingest.missing} missing, ${ingest.problems.length} problems`,
    ...ingest.problems.slice(0, PROBLEMS_SHOWN).map((p) => style.yellow(`  ${problemText(p)}`)),
    ...(more > 0 ? [style.yellow(`  … and ${more} more ${more === 1 ? 'row' : 'rows'} skipped (--json lists them all)`)] : []),
    ...warnings.slice(0, PROBLEMS_SHOWN).map((d) => (d.severity === 'error' ? style.red : style.yellow)(`  ${d.severity}: ${d.message} (${d.code})`)),
    ...(moreWarnings > 0 ? [style.yellow(`  … and ${moreWarnings} more ${moreWarnings === 1 ? 'warning' : 'warnings'} (--json lists them all)`)] : []),
  ].join('\n');
}

function plain(value: unknown): string {
  if (value === undefined || value === null) return '∅';
  // An empty value (accountExpires "" for "never", a manager cleared) is shown, not left as a blank after the arrow.
  if (value === '') return '""';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * One line saying what a change does to the account. `owners`: who holds an
 * account a value references (`manager: <GUID=…>`), shown as `<E1001's account>`.
 * `names`: the account key's value for an enable, disable or delete
 * (account-references.ts accountNames), shown for its id.
 */
export function describeChange(change: Change, owners?: AccountOwners, names?: AccountNames): string {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const show = (value: unknown): string => {
    const accountId = owners === undefined ? undefined : referencedAccount(value);
    const owner = accountId === undefined ? undefined : owners?.(change.target, accountId);
    return owner === undefined ? plain(value) : `<${owner}'s account>`;
  };
  const accountId = before.accountId ?? after.accountId;
  const account = accountId === undefined ? '' : names?.(change.target, accountId) ?? accountId;
  switch (change.action) {
    case 'create':
      return Object.entries(after.attributes ?? {}).map(([k, v]) => `${k}=${show(v)}`).join(', ');
    case 'update': {
      const names = new Set([...Object.keys(before.attributes ?? {}), ...Object.keys(after.attributes ?? {})]);
      const changed = [...names]
        .filter((name) => show(before.attributes?.[name]) !== show(after.attributes?.[name]))
        .map((name) => `${name}: ${show(before.attributes?.[name])} → ${show(after.attributes?.[name])}`)
        .join(', ');
      // Placement drift: where the account is, and where it goes (or that its new values decide).
      const moved = before.placement === undefined ? ''
        : `moved back: ${after.placement === undefined ? `from ${before.placement} to where the new values place it` : placementText(before.placement, after.placement)} (placement drift)`;
      if (changed !== '' || moved !== '') return [changed, moved].filter((part) => part !== '').join('; ');
      // An update that writes nothing to the target: it records (or clears) when the account left scope.
      return change.reasons.includes('scope.removed') ? 'nothing written: starts the delete grace (out of scope)' : 'nothing written: back in scope';
    }
    case 'enable':
      // An account in use whose credentials are the former employment's (policy/rehire-credentials.ts): why it is enabled again.
      if (after.newEmploymentSince !== undefined) return `${account} new credentials: new employment since ${after.newEmploymentSince}, the account's are from the former one`.trim();
    // falls through
    case 'disable':
      return `${account} enabled: ${show(before.enabled)} → ${show(after.enabled)}`.trim();
    case 'delete':
      if (account !== '') return `account ${account}`;
      // A delete that follows an earlier plan's create still waiting in the queue (planner/superseded.ts): no id yet.
      return change.reasons.includes('queued.superseded') ? 'the account a queued create makes' : 'account ?';
    case 'grant':
      return `+ ${after.entitlement ?? '?'}`;
    case 'revoke':
      return `- ${before.entitlement ?? after.entitlement ?? '?'}`;
  }
}

/** Counts per action per target, e.g. "app: 3 create, 1 disable". */
export function summaryByTarget(plan: Plan): string[] {
  const counts = new Map<string, Map<ChangeAction, number>>();
  for (const change of plan.changes) {
    const perTarget = counts.get(change.target) ?? new Map<ChangeAction, number>();
    perTarget.set(change.action, (perTarget.get(change.action) ?? 0) + 1);
    counts.set(change.target, perTarget);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([target, perAction]) => `  ${target}: ${ACTIONS.filter((a) => perAction.has(a)).map((a) => `${perAction.get(a)} ${a}`).join(', ')}`);
}

export function planSummaryText(plan: Plan, style: Style): string {
  const lines = [
    `${style.bold('Plan')} ${plan.id} (state serial ${plan.basis}): ${plan.changes.length === 0 ? 'no changes' : plural(plan.changes.length, 'change')}`,
    ...summaryByTarget(plan),
    ...withdrawnLines(plan),
  ];
  for (const hold of plan.holds) {
    lines.push(style.yellow(`  held: ${hold.target}: ${hold.message} (${hold.count} against a limit of ${hold.limit}; ${hold.code})`));
  }
  if (plan.held) lines.push(style.yellow('This plan is held: nothing will be applied unless an operator forces it (--force).'));
  for (const d of plan.diagnostics) {
    const colour = d.severity === 'error' ? style.red : d.severity === 'warning' ? style.yellow : style.dim;
    const where = [d.target, d.identity].filter(Boolean).join('/');
    lines.push(colour(`  ${d.severity}: ${where ? where + ': ' : ''}${d.message} (${d.code})`));
  }
  return lines.join('\n') + '\n';
}

/** One line per queued change the plan withdraws: cancelled when the plan is applied, never run. */
function withdrawnLines(plan: Plan): string[] {
  return (plan.withdrawn ?? []).map((w) => `  withdraws: ${w.change.target}/${w.change.identity}: the ${w.change.action} queued by plan ${w.queuedBy} `
    + `(not started): cancelled, not run (${w.reasons.join(', ')})`);
}

export function changesTable(plan: Plan, style: Style, width = 60, owners?: AccountOwners, names?: AccountNames): string {
  const withdrawn = (plan.withdrawn ?? []).map((w) => [
    `withdraw ${w.change.action}`, w.change.target, w.change.identity, truncate(`queued by plan ${w.queuedBy}: ${describeChange(w.change, owners, names)}`, width), w.reasons.join(', '),
  ]);
  if (plan.changes.length === 0 && withdrawn.length === 0) return '';
  const rows = [...withdrawn, ...plan.changes.map((c) => [c.action, c.target, c.identity, truncate(describeChange(c, owners, names), width), c.reasons.join(', ')])];
  return table(['ACTION', 'TARGET', 'IDENTITY', 'CHANGES', 'REASONS'], rows, style);
}
