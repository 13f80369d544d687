import type { Threshold, TargetConfig } from '../config/types.js';
import type { Change, Diagnostic, Hold } from '../core/types.js';
import { CREATE_NOT_RUN } from './superseded.js';
import { DEFAULT_MAX_MOVES, DEFAULT_MAX_REVOKES, formatCount, formatShare, safetyLimit, thresholdLimit } from '../lifecycle/threshold.js';
import { PLACEMENT_DRIFT } from '../policy/reasons.js';

export function limitText(threshold: Threshold, total: number, limit: number): string {
  if ('count' in threshold) return `${formatCount(threshold.count)} accounts`;
  // The floor of one account (safetyLimit) said, where it is what allowed the one.
  return limit > thresholdLimit(threshold, total) ? `${threshold.percent}% (at least ${formatCount(limit)} account)` : `${threshold.percent}%`;
}

/** Per target: deletes, disables, the accounts losing an entitlement / leaving (disabled or deleted) / moved for placement drift. */
interface Tally {
  deletes: number;
  disables: number;
  readonly revoked: Set<string>;
  readonly leaving: Set<string>;
  readonly moved: Set<string>;
  /** The same, of changes to accounts a queued create makes (CREATE_NOT_RUN): not counted. */
  unmade?: { deletes: number; disables: number; readonly revoked: Set<string>; readonly leaving: Set<string> };
}

/**
 * Safety per target: a plan that would delete, disable, take entitlements
 * from, or move for placement drift more accounts than the target's limit
 * (a count, or a percentage of its linked accounts, at least one: see
 * safetyLimit) is held. Targets with fewer than `safety.minAccounts` linked
 * accounts are exempt.
 *
 * maxRevokes counts accounts that lose at least one entitlement (not revoke
 * changes), except accounts also disabled or deleted in the plan: a leaver's
 * revoke-all, or a suspension on leave, comes with the disable, and that
 * account is judged once, by maxDisables (or maxDeletes). A leaver kept
 * enabled (`leaver.disable: never`) is counted here: no other limit sees it.
 * maxMoves counts accounts an update moves back where the target places them
 * (reason `placement.drift`, users.placement: enforce): a mistyped users.dn
 * makes every account misplaced at once. A mover's move (a new department
 * in the DN) is an HR change and is not counted.
 * One pass over the changes; the sets hold only accounts with a revoke,
 * disable, delete or placement move.
 */
export function safetyHolds(
  changes: readonly Change[], targets: readonly TargetConfig[], totals: ReadonlyMap<string, number>, counted = safetyCounts(changes),
): Hold[] {
  const holds: Hold[] = [];
  for (const target of targets) {
    const counts = counted.get(target.id);
    const total = totals.get(target.id) ?? 0;
    const { minAccounts } = target.safety;
    if (counts === undefined || total < minAccounts) continue;
    for (const { code, what, key, threshold, where = '', why } of safetyChecks(target)) {
      const count = counts[key] ?? 0;
      const limit = safetyLimit(threshold, total, minAccounts);
      if (count <= limit) continue;
      holds.push({
        target: target.id, code, count, limit,
        message: `would ${what} ${formatCount(count)} of ${formatCount(total)} accounts in ${target.id}${where} `
          + `(${why === undefined ? '' : `${why}; `}${formatShare(count, total)}); the limit is ${limitText(threshold, total, limit)}${notCountedText(counts.notCounted, key)}`,
      });
    }
  }
  return holds;
}

/** What the safety limits count, per target, in one plan (see safetyHolds). */
export interface SafetyCounts {
  readonly deletes: number;
  readonly disables: number;
  /** Accounts losing at least one entitlement and neither disabled nor deleted in the plan. */
  readonly revokes: number;
  /**
   * Accounts moved back where the target places them (placement drift).
   * Absent when there are none: only a target enforcing placement has any.
   */
  readonly moves?: number;
  /**
   * The same, of the compensating changes not counted above: they undo what
   * an earlier plan's create, still queued, would make (CREATE_NOT_RUN), on
   * an account no target holds yet. Absent when there are none.
   */
  readonly notCounted?: { readonly deletes: number; readonly disables: number; readonly revokes: number };
}

/** The counts a limit judges. */
export type SafetyKey = 'deletes' | 'disables' | 'revokes' | 'moves';

/** The hold message's note of what it left out, for one limit (empty when nothing). */
function notCountedText(notCounted: SafetyCounts['notCounted'], key: SafetyKey): string {
  // Placement moves are of linked accounts only: none is ever left out.
  const n = key === 'moves' ? 0 : notCounted?.[key] ?? 0;
  if (n === 0) return '';
  const what = key === 'revokes' ? `${n === 1 ? 'account' : 'accounts'} losing entitlements` : n === 1 ? key.slice(0, -1) : key;
  return ` (not counted: ${formatCount(n)} more ${what} of accounts that earlier plans' queued creates make and that do not exist yet, ${CREATE_NOT_RUN})`;
}

/**
 * Per target with any: what the limits leave out (SafetyCounts.notCounted), said
 * in an info diagnostic, so a plan that is not held says it too.
 */
export function notCountedDiagnostics(changes: readonly Change[], counted = safetyCounts(changes)): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [target, counts] of counted) {
    const n = counts.notCounted;
    if (n === undefined) continue;
    const parts = [[n.deletes, 'delete'], [n.disables, 'disable'], [n.revokes, 'revoke']]
      .filter(([count]) => (count as number) > 0).map(([count, what]) => `${formatCount(count as number)} ${what}${count === 1 ? '' : 's'}`);
    out.push({
      severity: 'info', code: 'safety.not_counted', target,
      message: `${target}: ${parts.join(', ')} undo creates earlier plans still have queued (the accounts do not exist yet): `
        + `not counted against the safety limits (${CREATE_NOT_RUN})`,
    });
  }
  return out;
}

/** One limit of a target: hold code, what the message says is done (and where, and why), which count, the threshold. */
export interface SafetyCheck {
  readonly code: string;
  readonly what: string;
  /** Said after the target's id. */
  readonly where?: string;
  /** Said first in the parenthesis with the share. */
  readonly why?: string;
  readonly key: SafetyKey;
  readonly threshold: Threshold;
}

/** The four limits of a target. */
export function safetyChecks(target: TargetConfig): SafetyCheck[] {
  return [
    { code: 'safety.max_deletes', what: 'delete', key: 'deletes', threshold: target.safety.maxDeletes },
    { code: 'safety.max_disables', what: 'disable', key: 'disables', threshold: target.safety.maxDisables },
    { code: 'safety.max_revokes', what: 'revoke entitlements from', key: 'revokes', threshold: target.safety.maxRevokes ?? DEFAULT_MAX_REVOKES },
    {
      code: 'safety.max_moves', what: 'move', where: ' back where users.dn places them', why: 'placement drift', key: 'moves',
      threshold: target.safety.maxMoves ?? DEFAULT_MAX_MOVES,
    },
  ];
}

/** Per target with any: the plan's deletes, disables, revokes and placement moves as the limits count them. One pass over the changes. */
export function safetyCounts(changes: readonly Change[]): Map<string, SafetyCounts> {
  const tallies = new Map<string, Tally>();
  for (const c of changes) {
    const { action } = c;
    const move = action === 'update' && c.reasons?.includes(PLACEMENT_DRIFT) === true;
    if (action !== 'delete' && action !== 'disable' && action !== 'revoke' && !move) continue;
    let tally = tallies.get(c.target);
    if (tally === undefined) {
      tally = { deletes: 0, disables: 0, revoked: new Set(), leaving: new Set(), moved: new Set() };
      tallies.set(c.target, tally);
    }
    if (move) {
      tally.moved.add(c.identity);
      continue;
    }
    if (c.reasons?.includes(CREATE_NOT_RUN) === true) {
      // An account an earlier plan's queued create makes: undoing it takes nothing from anyone.
      tally.unmade ??= { deletes: 0, disables: 0, revoked: new Set(), leaving: new Set() };
      if (action === 'revoke') {
        tally.unmade.revoked.add(c.identity);
        continue;
      }
      if (action === 'delete') tally.unmade.deletes += 1;
      else tally.unmade.disables += 1;
      tally.unmade.leaving.add(c.identity);
      continue;
    }
    if (action === 'revoke') {
      tally.revoked.add(c.identity);
      continue;
    }
    if (action === 'delete') tally.deletes += 1;
    else tally.disables += 1;
    tally.leaving.add(c.identity);
  }
  const counts = new Map<string, SafetyCounts>();
  for (const [target, tally] of tallies) {
    let revokes = 0;
    for (const identity of tally.revoked) if (!tally.leaving.has(identity)) revokes += 1;
    const moves = tally.moved.size === 0 ? {} : { moves: tally.moved.size };
    const { unmade } = tally;
    if (unmade === undefined) {
      counts.set(target, { deletes: tally.deletes, disables: tally.disables, revokes, ...moves });
      continue;
    }
    let unmadeRevokes = 0;
    for (const identity of unmade.revoked) if (!unmade.leaving.has(identity)) unmadeRevokes += 1;
    const notCounted = { deletes: unmade.deletes, disables: unmade.disables, revokes: unmadeRevokes };
    counts.set(target, { deletes: tally.deletes, disables: tally.disables, revokes, ...moves, notCounted });
  }
  return counts;
}
