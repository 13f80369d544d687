import type { TargetConfig } from '../config/types.js';
import type { Identity, LifecycleState, LinkedAccount } from '../core/types.js';
import { zonedTime } from '../lifecycle/dates.js';
import { awaitedBack } from '../lifecycle/state.js';
import { ENTITLEMENTS_AT_START } from './reasons.js';
import { credentialsPredateEmployment, credentialsSetAt, newEmploymentSince, REHIRE_CREDENTIALS, writesRehireCredentials } from './rehire-credentials.js';

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
  /** The account's credentials predate this employment, which started then (rehire-credentials.ts): an enable sets new ones. */
  readonly newEmploymentSince?: string;
}

export interface LifecycleFacts {
  readonly identity: Identity;
  readonly state: LifecycleState;
  readonly target: TargetConfig;
  readonly link: LinkedAccount | undefined;
  readonly now: number;
  readonly prehireLeadDays: number;
  /** A future hire's prepared account holds its entitlements (lifecycle.prehireEntitlements; undefined: true). */
  readonly prehireEntitlements?: boolean;
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
const wallFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `days` calendar days before the instant `at`, at the same wall-clock time in
 * the lifecycle time zone: 7 days before midnight on 1 April is midnight on
 * 25 March even across a daylight-saving switch (not 7 × 24 hours).
 */
function daysBefore(at: number, days: number, timezone: string): number {
  if (timezone === 'UTC' || timezone === 'Etc/UTC' || days === 0) return at - days * DAY_MS;
  let format = wallFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    wallFormats.set(timezone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(at))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const ms = ((at % 1000) + 1000) % 1000;
  return zonedTime(parts.year ?? 0, parts.month ?? 1, (parts.day ?? 1) - days, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, ms, timezone);
}

/**
 * When a delete grace that started at `since` ends: a grace of whole days
 * (`after 30d`, `2w`) in calendar days at the same wall-clock time in the
 * lifecycle time zone, so that 30 days after midnight is midnight across a
 * daylight-saving change (not 30 × 24 hours, an hour early or late); any
 * other grace (`12h`, `90m`) as written.
 */
export function graceEnd(since: number, graceMs: number, timezone: string): number {
  return graceMs % DAY_MS === 0 ? daysBefore(since, -graceMs / DAY_MS, timezone) : since + graceMs;
}

/** The inverse of graceEnd: the start of a grace that ends at `end` (for the scheduler's date spans, engine/due.ts). */
export function graceStartFor(end: number, graceMs: number, timezone: string): number {
  return graceMs % DAY_MS === 0 ? daysBefore(end, graceMs / DAY_MS, timezone) : end - graceMs;
}

const gone = (rule: string, detail: string, reasons: readonly string[]): AccountDecision =>
  ({ present: false, enabled: false, reasons, mapAttributes: false, entitlements: false, rule, detail });

function prehire(f: LifecycleFacts): AccountDecision {
  const start = f.identity.startAt === undefined ? f.now : Date.parse(f.identity.startAt);
  const leadStart = daysBefore(start, f.prehireLeadDays, f.timezone);
  const when = f.explain ? `starts ${dayIn(f.identity.startAt, f.timezone)}; accounts are prepared ${f.prehireLeadDays} day(s) ahead` : '';
  if (f.now < leadStart && f.link === undefined) {
    return gone('lifecycle:prehire', f.explain ? `${when}, from ${dayIn(new Date(leadStart).toISOString(), f.timezone)}` : '', ['joiner.prehire']);
  }
  if (f.prehireEntitlements === false) {
    return {
      present: true, enabled: false, reasons: PREHIRE_WITHHELD, mapAttributes: true, entitlements: false, rule: 'lifecycle:prehire',
      detail: f.explain ? `${when}, disabled until the start, without entitlements until then (lifecycle.prehireEntitlements: false): `
        + 'the roles\' grants come with the enable on the start day' : '',
    };
  }
  return {
    present: true, enabled: false, reasons: PREHIRE, mapAttributes: true, entitlements: true,
    rule: 'lifecycle:prehire', detail: f.explain ? `${when}, disabled until the start (entitlements are ready for day one)` : '',
  };
}

const PREHIRE: readonly string[] = Object.freeze(['joiner.prehire']);
/**
 * A future hire's account without entitlements until the start
 * (lifecycle.prehireEntitlements: false): ENTITLEMENTS_AT_START says why it
 * has none, and is the reason of a revoke of what it held (policy/reasons.ts).
 */
const PREHIRE_WITHHELD: readonly string[] = Object.freeze(['joiner.prehire', ENTITLEMENTS_AT_START]);

/** Decisions for active accounts without a detail (the plan path builds no explanations). */
const ACTIVE: Readonly<Record<string, AccountDecision>> = Object.fromEntries(['active', 'joiner', 'rehire'].map((reason) => [reason, Object.freeze({
  present: true, enabled: true, reasons: Object.freeze([reason]), mapAttributes: true, entitlements: true, rule: 'lifecycle:active', detail: '',
})]));

/**
 * The linked account was made for this hire and never used: Roster created
 * it disabled (createdAt = disabledAt) inside this start's prehire window, or
 * it is disabled with no disable recorded. Such an account enabled on day one
 * is a joiner's, not a rehire's; a withdrawn offer removes it at once.
 */
function madeForThisHire(f: LifecycleFacts, link: LinkedAccount): boolean {
  if (link.enabled) return false;
  if (link.disabledAt === undefined) return true;
  const created = Date.parse(link.createdAt);
  const start = f.identity.startAt === undefined ? f.now : Date.parse(f.identity.startAt);
  return Date.parse(link.disabledAt) <= created && created >= daysBefore(start, f.prehireLeadDays, f.timezone);
}

/**
 * A start on or after the day the account was disabled begins a new
 * employment. By the day, not the instant: an HR start date is midnight, and
 * the leaver's disable runs when the sync does, so a rehire starting the day
 * the former employment's account was disabled (left yesterday, back today)
 * is a rehire too, not a return that keeps the former employment's password.
 */
function startsAfterDisable(startAt: string, disabledAt: string, timezone: string): boolean {
  const [year, month, day] = dayIn(disabledAt, timezone).split('-').map(Number) as [number, number, number];
  return Date.parse(startAt) >= zonedTime(year, month, day, 0, 0, 0, 0, timezone);
}

/**
 * The disabled account comes back for another employment than the one it
 * was disabled in. The employment says so first: the lifecycle recorded a
 * rehire (Identity.rehiredAt) after the disable, so the account has been
 * disabled since before this employment was known. That holds when the
 * disable came after the new start, which the dates alone read as a return:
 * a termination entered late (left on the 10th, recorded on the 20th, back
 * from the 15th). A disable after the rehire was recorded (a leave in the new
 * employment, a future rehire's account disabled until its start) is judged
 * by the dates, as for identities with no rehire recorded: a start on or
 * after the disable's day. A leave's end and a termination undone keep their
 * old start, which is before the disable: a return.
 */
function newEmployment(identity: Identity, disabledAt: string, timezone: string): boolean {
  if (identity.rehiredAt !== undefined && Date.parse(identity.rehiredAt) > Date.parse(disabledAt)) return true;
  return identity.startAt !== undefined && startsAfterDisable(identity.startAt, disabledAt, timezone);
}

function active(f: LifecycleFacts): AccountDecision {
  let reason = 'active';
  if (f.link === undefined) reason = 'joiner';
  else if (!f.link.enabled && f.link.disabledAt !== undefined
    && newEmployment(f.identity, f.link.disabledAt, f.timezone)) reason = madeForThisHire(f, f.link) ? 'joiner' : 'rehire';
  else if (!f.link.enabled && f.link.disabledAt === undefined) reason = 'joiner';
  // Rare (a rehire recorded): the common path reads one absent property and goes on.
  else if (f.identity.rehiredAt !== undefined && credentialsPredateEmployment(f.identity, f.link) && writesRehireCredentials(f.target)) return renewed(f, f.link);
  if (!f.explain) return ACTIVE[reason] as AccountDecision;
  return { ...(ACTIVE[reason] as AccountDecision), detail: `active since ${dayIn(f.identity.startAt, f.timezone)}: account enabled` };
}

/**
 * An enabled account whose credentials are the former employment's (a
 * termination and a rehire read in one pass: it was never disabled): a
 * rehire's, whose enable sets new ones (rehire-credentials.ts).
 */
function renewed(f: LifecycleFacts, link: LinkedAccount): AccountDecision {
  const since = dayIn(newEmploymentSince(f.identity), f.timezone);
  const detail = f.explain
    ? `new employment since ${since} (rehire recorded ${dayIn(f.identity.rehiredAt, f.timezone)}), but the account was never `
      + `disabled and its credentials are from the former one (set ${dayIn(credentialsSetAt(link), f.timezone)}): an enable sets new ones (users.passwordOnEnable)`
    : '';
  return { ...(ACTIVE.rehire as AccountDecision), reasons: RENEWED, detail, newEmploymentSince: since };
}

const RENEWED: readonly string[] = Object.freeze(['rehire', REHIRE_CREDENTIALS]);

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
  const rulename = reason === 'scope.removed' ? `scope:${id}` : reason === 'joiner.rescinded' ? 'lifecycle:rescinded' : 'lifecycle:terminated';
  if (rule.deleteAfterMs !== null && since !== undefined && f.now >= graceEnd(since, rule.deleteAfterMs, f.timezone)) {
    const days = Math.round(rule.deleteAfterMs / DAY_MS);
    // Someone who never had an account here (a leaver before Roster came) is told so, not that one was deleted.
    const outcome = f.link === undefined ? 'no account is created' : 'account deleted';
    return gone(rulename, `${what}; the ${days}-day grace period is over: ${outcome}`, ['leaver.grace_expired', reason]);
  }
  if (f.link === undefined) return gone(rulename, `${what}: no account is created`, [reason]);
  const days = rule.deleteAfterMs === null ? 0 : Math.round(rule.deleteAfterMs / DAY_MS);
  // The grace's start is known once the account is disabled: say the day (it runs from the disable when that came after the end).
  const grace = rule.deleteAfterMs === null ? 'never deleted'
    : since === undefined ? `deleted ${days} day(s) later`
      : `deleted on ${dayIn(new Date(graceEnd(since, rule.deleteAfterMs, f.timezone)).toISOString(), f.timezone)} (a ${days}-day grace)`;
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
  // An end instant is exclusive (an HR end date 2026-08-31 is 2026-09-01T00:00 in the zone): say the last day, as HR wrote it.
  const lastDay = identity.endAt !== undefined ? dayIn(new Date(Date.parse(identity.endAt) - 1).toISOString(), f.timezone) : dayIn(endIso, f.timezone);
  const what = !f.explain ? '' : identity.missingSince !== undefined ? `gone from the source since ${dayIn(identity.missingSince, f.timezone)}`
    : f.contractor ? `contract ended ${lastDay}` : `left ${lastDay}`;
  if (awaitedBack(identity, new Date(f.now))) return betweenEmployments(f, reason, what);
  return leaver(f, graceStart(f, Date.parse(endIso)), reason, what);
}

/**
 * Between two employments (lifecycle/merge.ts currentEnd: an end before the
 * next start): a leaver whose account is never deleted while the return is
 * awaited (a gap longer than the delete grace would otherwise delete it and
 * create another on the first day), and prepared again like a future hire's
 * from `prehireLeadDays` before the new start.
 */
function betweenEmployments(f: LifecycleFacts, reason: string, what: string): AccountDecision {
  const start = Date.parse(f.identity.startAt!);
  if (f.now >= daysBefore(start, f.prehireLeadDays, f.timezone)) return prehire(f);
  return leaver(f, undefined, reason, f.explain ? `${what}; back on ${dayIn(f.identity.startAt, f.timezone)}, so the account is kept (not deleted) until then` : '');
}

/**
 * The grace period runs from the later of the end date and the moment Roster
 * disabled the account: a termination entered months late still gets its
 * full grace after the disable, never an instant delete. An account disabled
 * before the end (a leave) was not disabled by this termination: its grace
 * runs from the later of the end and the person's last recorded change (when
 * Roster learnt of a termination entered late, backdated), never from the
 * older disable. A later change to the record postpones it, as for a
 * termination without an end date. An account reconcile linked already
 * disabled has no disable of Roster's to wait for: its grace runs from the
 * later of the end and the link's creation.
 */
function graceStart(f: LifecycleFacts, end: number): number | undefined {
  const { leaver: rule } = f.target;
  if (rule.deleteAfterMs === 0 || rule.disable === 'never' || f.link === undefined) return end;
  if (f.link.enabled) return undefined;
  // Linked already disabled (reconcile adopted it so): no disable of Roster's will come; the grace runs from the link.
  if (f.link.disabledAt === undefined) return Math.max(end, Date.parse(f.link.createdAt));
  const disabled = Date.parse(f.link.disabledAt);
  return disabled < end ? Math.max(end, Date.parse(f.identity.updatedAt)) : disabled;
}

/**
 * A withdrawn offer removes the account made for it at once. An account that
 * was in use (the person had started, or it is a rehire's account from an
 * earlier employment) gets the leaver treatment instead: disabled, stripped,
 * deleted as the target's leaver rule says, never at once.
 */
function rescinded(f: LifecycleFacts): AccountDecision {
  if (f.link === undefined || madeForThisHire(f, f.link)) {
    return gone('lifecycle:rescinded', 'offer withdrawn before the start: accounts are removed at once', ['joiner.rescinded']);
  }
  const since = Date.parse(f.identity.endAt ?? f.identity.updatedAt);
  const what = f.explain ? 'offer withdrawn, but the account was already in use' : '';
  return leaver(f, graceStart(f, since), 'joiner.rescinded', what);
}

/** The lifecycle's decision for one account. */
export function decideLifecycle(f: LifecycleFacts): AccountDecision {
  switch (f.state) {
    case 'rescinded':
      return rescinded(f);
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

/**
 * When the grace of an account that left the target's scope starts (ms), or
 * undefined while it does not run yet. It runs from the moment Roster
 * recorded that the account left scope (LinkedAccount.outOfScopeSince, set
 * when the first change of the scope-removed treatment is applied), or from
 * a disable after that (an account in use keeps its whole grace after the
 * disable): never from an older disable (a leave, before the start), nor
 * from the person's record, whose later changes do not start it again and
 * which a scope change in roster.yaml (or one that reads `manager` or `now`)
 * does not touch. Without the record (the plan that records it is not
 * applied yet, or a link stored before Roster kept it) nothing is deleted:
 * the next applied plan records it.
 */
function scopeGraceStart(f: LifecycleFacts, link: LinkedAccount): number | undefined {
  const { leaver: rule } = f.target;
  if (rule.deleteAfterMs === 0) return f.now;
  if (link.outOfScopeSince === undefined) return undefined;
  const since = Date.parse(link.outOfScopeSince);
  // An enabled account is disabled first, whatever disabledAt an earlier disable left on the link.
  if (!link.enabled) return link.disabledAt === undefined ? since : Math.max(Date.parse(link.disabledAt), since);
  return rule.disable === 'never' ? since : undefined;
}

/**
 * An existing account whose identity left the target's scope gets the
 * target's leaver treatment: disabled (unless `leaver.disable: never`),
 * stripped, and deleted `leaver.delete` after scopeGraceStart. A leaver
 * (terminated, or a rescinded offer whose account was in use) keeps the
 * lifecycle's decision: leaving scope as well neither hastens nor postpones
 * the delete the termination set.
 */
export function decideScopeRemoved(f: LifecycleFacts, scope: string, lifecycle: AccountDecision): AccountDecision {
  if (f.link === undefined) {
    return gone(`scope:${f.target.id}`, `out of scope: \`${scope}\` is false`, ['scope.out']);
  }
  if (f.state === 'terminated' || f.state === 'rescinded') {
    return { ...lifecycle, rule: `scope:${f.target.id}`, detail: f.explain ? `no longer in scope (\`${scope}\` is false), and a leaver: ${lifecycle.detail}` : '' };
  }
  return leaver(f, scopeGraceStart(f, f.link), 'scope.removed', `no longer in scope (\`${scope}\` is false)`);
}
