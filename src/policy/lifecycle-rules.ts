import type { TargetConfig } from '../config/types.js';
import type { Identity, LifecycleState, LinkedAccount } from '../core/types.js';

const DAY_MS = 86_400_000;

/** What the lifecycle (or scope) says about one account, before mappings and roles. */
export interface AccountDecision {
  readonly present: boolean;
  readonly enabled: boolean;
  readonly reasons: readonly string[];
  /** Evaluate mappings (false: keep the linked attributes, e.g. a leaver's account is not updated). */
  readonly mapAttributes: boolean;
  /** Roles grant entitlements (false: least privilege, none at all). */
  readonly entitlements: boolean;
  readonly rule: string;
  readonly detail: string;
}

export interface LifecycleFacts {
  readonly identity: Identity;
  readonly state: LifecycleState;
  readonly target: TargetConfig;
  readonly link: LinkedAccount | undefined;
  readonly now: number;
  readonly prehireLeadDays: number;
  readonly contractor: boolean;
  /** Build the readable `detail` (false on the plan path, which does not print it). */
  readonly explain: boolean;
  /** Lifecycle time zone, for dates in explanations. */
  readonly timezone: string;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant in the lifecycle time zone (what HR wrote), e.g. 2026-03-01. */
function dayIn(iso: string | undefined, timezone: string): string {
  if (iso === undefined) return 'an unknown date';
  let format = dayFormats.get(timezone);
  if (!format) dayFormats.set(timezone, (format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(new Date(iso));
}
const gone = (rule: string, detail: string, reasons: readonly string[]): AccountDecision =>
  ({ present: false, enabled: false, reasons, mapAttributes: false, entitlements: false, rule, detail });

function prehire(f: LifecycleFacts): AccountDecision {
  const start = f.identity.startAt === undefined ? f.now : Date.parse(f.identity.startAt);
  const leadStart = start - f.prehireLeadDays * DAY_MS;
  const when = f.explain ? `starts ${dayIn(f.identity.startAt, f.timezone)}; accounts are prepared ${f.prehireLeadDays} day(s) ahead` : '';
  if (f.now < leadStart && f.link === undefined) {
    return gone('lifecycle:prehire', f.explain ? `${when}, from ${dayIn(new Date(leadStart).toISOString(), f.timezone)}` : '', ['joiner.prehire']);
  }
  return {
    present: true, enabled: false, reasons: ['joiner.prehire'], mapAttributes: true, entitlements: true,
    rule: 'lifecycle:prehire', detail: f.explain ? `${when}, disabled until the start (entitlements are ready for day one)` : '',
  };
}

/** Decisions for active accounts without a detail (the plan path builds no explanations). */
const ACTIVE: Readonly<Record<string, AccountDecision>> = Object.fromEntries(['active', 'joiner', 'rehire'].map((reason) => [reason, Object.freeze({
  present: true, enabled: true, reasons: Object.freeze([reason]), mapAttributes: true, entitlements: true, rule: 'lifecycle:active', detail: '',
})]));

function active(f: LifecycleFacts): AccountDecision {
  let reason = 'active';
  if (f.link === undefined) reason = 'joiner';
  else if (!f.link.enabled && f.link.disabledAt !== undefined && f.identity.startAt !== undefined
    && Date.parse(f.identity.startAt) > Date.parse(f.link.disabledAt)) reason = 'rehire';
  else if (!f.link.enabled && f.link.disabledAt === undefined) reason = 'joiner';
  if (!f.explain) return ACTIVE[reason] as AccountDecision;
  return { ...(ACTIVE[reason] as AccountDecision), detail: `active since ${dayIn(f.identity.startAt, f.timezone)}: account enabled` };
}

function leave(f: LifecycleFacts): AccountDecision {
  if (f.target.onLeave === 'keep') {
    return {
      present: true, enabled: true, reasons: ['leave.kept'], mapAttributes: true, entitlements: true,
      rule: 'lifecycle:leave', detail: `on leave; target ${f.target.id} keeps accounts enabled during leave (onLeave: keep)`,
    };
  }
  return {
    present: true, enabled: false, reasons: ['leave.suspended', 'leaver.revoke_all'], mapAttributes: true, entitlements: false,
    rule: 'lifecycle:leave', detail: 'on leave: account suspended (disabled, no entitlements) until the return',
  };
}

/** Leaver treatment from `since` (termination, or when the account left scope). */
function leaver(f: LifecycleFacts, since: number | undefined, reason: string, what: string): AccountDecision {
  const { leaver: rule, id } = f.target;
  const rulename = reason === 'scope.removed' ? `scope:${id}` : 'lifecycle:terminated';
  if (rule.deleteAfterMs !== null && since !== undefined && f.now >= since + rule.deleteAfterMs) {
    const days = Math.round(rule.deleteAfterMs / DAY_MS);
    return gone(rulename, `${what}; the ${days}-day grace period is over: account deleted`, ['leaver.grace_expired', reason]);
  }
  if (f.link === undefined) return gone(rulename, `${what}: no account is created`, [reason]);
  const grace = rule.deleteAfterMs === null ? 'never deleted' : `deleted ${Math.round(rule.deleteAfterMs / DAY_MS)} day(s) later`;
  const enabled = rule.disable === 'never' && f.link.enabled;
  return {
    present: true, enabled, reasons: [reason, 'leaver.revoke_all'], mapAttributes: false, entitlements: false,
    rule: rulename,
    detail: `${what}: ${enabled ? 'kept enabled (leaver.disable: never)' : 'disabled'}, all entitlements revoked, ${grace}`,
  };
}

function terminated(f: LifecycleFacts): AccountDecision {
  const { identity } = f;
  const endIso = identity.endAt ?? identity.missingSince ?? identity.updatedAt;
  const reason = identity.missingSince !== undefined ? 'leaver.missing_from_source'
    : f.contractor ? 'leaver.contract_end' : 'leaver.terminated';
  const what = !f.explain ? '' : identity.missingSince !== undefined ? `gone from the source since ${dayIn(identity.missingSince, f.timezone)}`
    : f.contractor ? `contract ended ${dayIn(endIso, f.timezone)}` : `left ${dayIn(endIso, f.timezone)}`;
  return leaver(f, graceStart(f, Date.parse(endIso)), reason, what);
}

/**
 * The grace period runs from the later of the end date and the moment Roster
 * disabled the account: a termination entered months late still gets its
 * full grace after the disable, never an instant delete.
 */
function graceStart(f: LifecycleFacts, end: number): number | undefined {
  const { leaver: rule } = f.target;
  if (rule.deleteAfterMs === 0 || rule.disable === 'never' || f.link === undefined) return end;
  if (f.link.enabled || f.link.disabledAt === undefined) return undefined;
  return Math.max(end, Date.parse(f.link.disabledAt));
}

/** The lifecycle's decision for one account. */
export function decideLifecycle(f: LifecycleFacts): AccountDecision {
  switch (f.state) {
    case 'rescinded':
      return gone('lifecycle:rescinded', 'offer withdrawn before the start: accounts are removed at once', ['joiner.rescinded']);
    case 'prehire':
      return prehire(f);
    case 'active':
      return active(f);
    case 'leave':
      return leave(f);
    case 'terminated':
      return terminated(f);
  }
}

/** An existing account whose identity left the target's scope gets the target's leaver treatment. */
export function decideScopeRemoved(f: LifecycleFacts, scope: string): AccountDecision {
  const since = f.link?.disabledAt === undefined ? undefined : Date.parse(f.link.disabledAt);
  const immediate = f.target.leaver.deleteAfterMs === 0 ? f.now : since;
  if (f.link === undefined) {
    return gone(`scope:${f.target.id}`, `out of scope: \`${scope}\` is false`, ['scope.out']);
  }
  return leaver(f, immediate, 'scope.removed', `no longer in scope (\`${scope}\` is false)`);
}
