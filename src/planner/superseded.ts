import type { TargetConfig } from '../config/types.js';
import type { Attributes, Change, ChangeAction, DesiredAccount, LinkedAccount } from '../core/types.js';
import { diffAccount, withReason } from './diff.js';
import { entitlementKey } from './normalise.js';

/**
 * A plan is made against the links, but an earlier plan's changes may still
 * wait in the queue (a run killed with its jobs leased, a quarantined target)
 * and run first (the ordering key). A waiting change the new desired state no
 * longer wants is undone only when the plan touches the same thing: a mover
 * moved again before the first move ran (waiting: grant engineering; HR now
 * says Sales, the link never had engineering, so nothing revokes it) kept the
 * first department's groups until the next sync. So the account is also
 * diffed against its link as it will be once the waiting changes ran, and
 * what that diff wants of an entitlement, of `enabled` or of an attribute the
 * plan does not touch at all is added, with the reason `queued.superseded`.
 * Its existence too: a waiting create of someone who should have no account
 * now (terminated, rescinded, out of scope before it ran) is followed by a
 * delete, and a waiting delete already running of someone who should have one
 * (rehired before it ran; one not started is withdrawn instead:
 * planner/withdrawn.ts) by a create and its grants instead of changes to the account the
 * delete removes (a create that finds the account still linked, the delete
 * cancelled or failed, brings it in line: apply-change.ts, createOverLink).
 * Changes made against an account a waiting create makes name no account id:
 * the executor finds it by the link the create writes.
 */
export function supersededChanges(
  desired: DesiredAccount, link: LinkedAccount | undefined, waiting: readonly Change[], target: TargetConfig | undefined, planned: Change[],
): Change[] {
  const projected = projectedLink(link, waiting, desired);
  const found: Change[] = [];
  diffAccount(desired, projected, target, found);
  // Projected from a waiting create, the account id is only its key: the executor finds the account by the link the create writes.
  const unmade = madeByWaitingCreate(link, waiting);
  const wanted = (waiting.some((c) => c.action === 'create') ? found.map(withoutAccountId) : found).map(unmade ? undoingUnmade : superseding);
  // The linked account is deleted before this plan runs: changes to it would fail; what the waiting changes leave is the base.
  if (link !== undefined && waiting.some((c) => c.action === 'delete')) return wanted;
  if (projected === undefined) return planned;
  const has = (action: ChangeAction) => planned.some((c) => c.action === action);
  const touched = new Set(planned.filter((c) => c.action === 'grant' || c.action === 'revoke').map(entitlementOf));
  const out = [...planned];
  for (const change of wanted) {
    switch (change.action) {
      case 'grant':
      case 'revoke':
        if (!touched.has(entitlementOf(change))) out.push(change);
        break;
      case 'enable':
      case 'disable':
        if (!has('create') && !has('enable') && !has('disable')) out.push(change);
        break;
      case 'update': {
        if (has('create')) break;
        const extra = untouchedAttributes(change, out.find((c) => c.action === 'update'));
        if (extra === undefined) break;
        const index = out.findIndex((c) => c.action === 'update');
        if (index >= 0) out[index] = extra;
        else out.push(extra);
        break;
      }
      case 'delete':
        // A waiting create of someone who should have no account now (with a link, the plan's own delete does it).
        if (!has('delete')) out.push(change);
        break;
      default:
        break;
    }
  }
  if (out.length === planned.length && out.every((c, i) => c === planned[i])) return planned;
  return out.sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action));
}

/** Reason code of a change that undoes (or follows up) what an earlier plan still has waiting in the queue. */
export const SUPERSEDED = 'queued.superseded';

const superseding = (change: Change): Change => ({ ...change, reasons: withReason(change.reasons, SUPERSEDED) });

/**
 * Reason code of a compensating delete, disable or revoke whose account no
 * target holds yet: the one an earlier plan's waiting create makes (no link,
 * or the link's account deleted by a waiting delete first). It takes nothing
 * from anyone, so the safety limits do not count it (planner/safety.ts); a
 * compensating change to an account the target holds is counted as any other.
 */
export const CREATE_NOT_RUN = 'queued.create_not_run';

const UNMADE_ACTIONS: ReadonlySet<ChangeAction> = new Set(['delete', 'disable', 'revoke']);

const undoingUnmade = (change: Change): Change => {
  const superseded = superseding(change);
  return UNMADE_ACTIONS.has(change.action) ? { ...superseded, reasons: withReason(superseded.reasons, CREATE_NOT_RUN) } : superseded;
};

/**
 * The account the waiting changes leave is one a waiting create makes, not
 * one the target holds now: no link (or a waiting delete removes the linked
 * one) before the last waiting create. A create waiting over a link
 * (apply-change.ts createOverLink) brings the linked account in line: it exists.
 */
export function madeByWaitingCreate(link: LinkedAccount | undefined, waiting: readonly Change[]): boolean {
  let exists = link !== undefined;
  let made = false;
  for (const change of waiting) {
    if (change.action === 'delete') [exists, made] = [false, false];
    else if (change.action === 'create' && !exists) made = true;
  }
  return made;
}

function withoutAccountId(change: Change): Change {
  const strip = (state: Change['before']) => {
    if (state === null || state.accountId === undefined) return state;
    const { accountId: _, ...rest } = state;
    return rest;
  };
  return { ...change, before: strip(change.before), after: strip(change.after) };
}

/** The executor's order of one account's changes (planner/diff.ts). */
const ORDER: readonly ChangeAction[] = ['create', 'update', 'enable', 'grant', 'revoke', 'disable', 'delete'];

const entitlementOf = (change: Change): string => entitlementKey((change.after ?? change.before)?.entitlement ?? '');

/**
 * The update wanted (against the projected link) merged into the planned one
 * (undefined: none planned) for the attributes the planned one leaves out;
 * undefined when there are none.
 */
function untouchedAttributes(wanted: Change, planned: Change | undefined): Change | undefined {
  const after = wanted.after?.attributes ?? {};
  const before = wanted.before?.attributes ?? {};
  const set = planned?.after?.attributes ?? {};
  const names = Object.keys(after).filter((name) => !Object.hasOwn(set, name));
  if (names.length === 0) return undefined;
  const pick = (from: Attributes) => Object.fromEntries(names.map((name) => [name, from[name] ?? null]));
  if (planned === undefined) return { ...wanted, before: { ...wanted.before, attributes: pick(before) }, after: { ...wanted.after, attributes: pick(after) } };
  return {
    ...planned,
    reasons: withReason(planned.reasons, SUPERSEDED),
    before: { ...planned.before, attributes: { ...planned.before?.attributes, ...pick(before) } },
    after: { ...planned.after, attributes: { ...set, ...pick(after) } },
  };
}

/** The link once the waiting changes (oldest first) ran; undefined when they delete the account (or none exists). */
export function projectedLink(link: LinkedAccount | undefined, waiting: readonly Change[], desired: DesiredAccount): LinkedAccount | undefined {
  let projected = link;
  for (const change of waiting) {
    const after = change.after;
    switch (change.action) {
      case 'create':
        projected = {
          target: desired.target, identityId: desired.identityId, accountId: after?.accountId ?? projected?.accountId ?? '',
          attributes: withoutNulls(after?.attributes ?? {}), entitlements: projected?.entitlements ?? [], enabled: after?.enabled ?? true,
          createdAt: projected?.createdAt ?? '', updatedAt: projected?.updatedAt ?? '',
          ...(projected?.outOfScopeSince === undefined ? {} : { outOfScopeSince: projected.outOfScopeSince }),
        };
        break;
      case 'delete':
        projected = undefined;
        break;
      case 'update':
        if (projected !== undefined) projected = { ...projected, attributes: withoutNulls({ ...projected.attributes, ...after?.attributes }) };
        break;
      case 'enable':
      case 'disable':
        if (projected !== undefined) projected = { ...projected, enabled: change.action === 'enable' };
        break;
      case 'grant':
      case 'revoke': {
        if (projected === undefined) break;
        const key = entitlementOf(change);
        const kept = projected.entitlements.filter((e) => entitlementKey(e) !== key);
        const entitlement = (after ?? change.before)?.entitlement;
        projected = { ...projected, entitlements: change.action === 'grant' && entitlement !== undefined ? [...kept, entitlement] : kept };
        break;
      }
    }
  }
  return projected;
}

function withoutNulls(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== null && value !== undefined));
}
