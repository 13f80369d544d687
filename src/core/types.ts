/**
 * The data that flows through the pipeline. Everything here is plain,
 * serialisable data (no classes, no functions): it is stored, sent over HTTP
 * and printed as JSON unchanged. Dates are ISO-8601 strings in UTC.
 */

export type Attributes = Readonly<Record<string, unknown>>;

// ---------------------------------------------------------------- sources

/** One person as an authoritative source states them. */
export interface SourceRecord {
  /** Value of the source's key column (correlation key), e.g. employeeId. */
  readonly key: string;
  readonly attributes: Attributes;
  /** 1-based line (CSV/JSONL) or index (JSON array/push batch) it came from. */
  readonly line?: number;
  /**
   * A push `terminate` without an end date, or a SCIM DELETE of a User: its
   * end date is the time it arrived. A person already terminated keeps the
   * end date they have, so a repeated delivery does not move it (and with it
   * the delete grace).
   */
  readonly endsOnArrival?: true;
  /**
   * The directory entry the record was read from (entryUUID, objectGUID, in
   * lower case), from a source that tells entries apart: a key respelled in
   * letter case is the stored person only from the same entry
   * (lifecycle/respelled.ts). File, push and SCIM records have none.
   */
  readonly entry?: string;
}

export interface SourceProblem {
  readonly line: number;
  /** The key when it could be read; a row without a key has none. */
  readonly key?: string;
  readonly message: string;
  /** The directory entry the row was read from, as on SourceRecord. */
  readonly entry?: string;
}

export interface SourceBatch {
  readonly sourceId: string;
  readonly records: readonly SourceRecord[];
  readonly problems: readonly SourceProblem[];
  /**
   * true when the batch is a full snapshot of the source (an HR file): people
   * not in it are gone from the source. false for pushes and deltas.
   */
  readonly complete: boolean;
  /**
   * A delta that knows who left (a directory read with syncrepl, or an `ad` incremental pass): keys
   * the source no longer has. They are gone as people missing from a
   * complete snapshot are, under the same maxMissing limit (lifecycle/missing.ts).
   * Set (even empty) when the source reported deletions: the ingest then sets
   * or lifts the source's truncation hold, as a snapshot's does.
   */
  readonly gone?: readonly string[];
  /** Gone key -> the directory entry that held it (SourceRecord.entry), where the source knows it. */
  readonly goneEntries?: Readonly<Record<string, string>>;
  /**
   * Gone keys (of `gone`) whose every reference as a manager the source itself
   * dropped, without a record for the people who named them: a user deleted
   * from Active Directory, whose `manager` link AD removes from each report
   * without moving the report's uSNChanged, so no incremental read returns
   * the reports. The merge clears the manager field of this source's people
   * naming one of them (lifecycle/unlinked.ts), as a full pass would read
   * them; not while the batch is held as truncated.
   */
  readonly unlinked?: readonly string[];
  /** Rows that were in the input, good and bad (for truncation checks). */
  readonly rowsRead: number;
}

// ---------------------------------------------------------------- identities

export type LifecycleState =
  | 'prehire' // hired, start date in the future
  | 'active'
  | 'leave' // leave of absence: accounts suspended
  | 'terminated' // end date passed (or status says so, or gone from a complete source)
  | 'rescinded'; // offer withdrawn before the start date

export type LifecycleEventKind =
  | 'joiner'
  | 'mover'
  | 'leaver'
  | 'rehire'
  | 'conversion'
  | 'leave.start'
  | 'leave.end'
  | 'rescinded'
  | 'missing'
  | 'returned';

export interface LifecycleEvent {
  readonly kind: LifecycleEventKind;
  readonly identityId: string;
  /** When the event takes effect (may be in the future: a future-dated hire). */
  readonly effectiveAt: string;
  /** When Roster recorded it. */
  readonly recordedAt: string;
  /** Changed attribute names, with before and after values, for movers. */
  readonly changes?: Readonly<Record<string, { readonly before: unknown; readonly after: unknown }>>;
  readonly reasons: readonly string[];
}

export interface Identity {
  /** The correlation key (source key), stable for the person's life. */
  readonly id: string;
  readonly sourceId: string;
  /** The latest record's attributes, as the source gave them (strings). */
  readonly attributes: Attributes;
  readonly state: LifecycleState;
  /** Start of the current (or coming) employment, ISO date-time. */
  readonly startAt?: string;
  /** Termination or contract end, ISO date-time (may be in the future). */
  readonly endAt?: string;
  /** Set when the person vanished from a complete source snapshot. */
  readonly missingSince?: string;
  /** The directory entry (entryUUID, objectGUID) the identity was last read from (SourceRecord.entry); absent for other sources. */
  readonly sourceEntry?: string;
  /**
   * When Roster recorded that the current employment is a new one (the
   * `rehire` event's recordedAt, lifecycle/employment.ts); absent when no
   * rehire was recorded, and dropped when HR takes a termination back. An
   * account disabled before it comes back as a rehire's (a new password),
   * whatever the disable's date says (policy/lifecycle-rules.ts).
   */
  readonly rehiredAt?: string;
  /** Increases by one each time the identity changes. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A source key of an identity other than its id, or its id once another key
 * took over: a person rehired under a new key (`fields.previousKey`,
 * lifecycle/continued.ts) keeps their id, the new key is `current`, and every
 * key they had before is kept, not current, so a row still written with one
 * changes nothing. An identity without such rows has its id as its only key.
 */
export interface IdentityKey {
  readonly key: string;
  readonly identityId: string;
  readonly sourceId: string;
  /** The key the source writes now; the others are former keys. */
  readonly current: boolean;
  readonly recordedAt: string;
}

// ---------------------------------------------------------------- policy

/** Why something is desired: the rule that gives it. */
export interface Explanation {
  /** 'account' | 'state' | 'attribute:<name>' | 'entitlement:<id>' */
  readonly subject: string;
  /** 'scope:<target>' | 'role:<id>' | 'mapping:<target>.<attr>' | 'lifecycle:<rule>' | 'request:<id>' */
  readonly rule: string;
  readonly detail: string;
}

/** What policy says one identity should have in one target. */
export interface DesiredAccount {
  readonly target: string;
  readonly identityId: string;
  /** false: the identity should have no account here (out of scope, rescinded, leaver past grace). */
  readonly present: boolean;
  readonly enabled: boolean;
  readonly attributes: Attributes;
  readonly entitlements: readonly string[];
  /** Reason codes for present/enabled, e.g. 'joiner', 'leaver.terminated'. */
  readonly reasons: readonly string[];
  readonly explanations: readonly Explanation[];
  /**
   * An expression failed: policy could not decide, and the account is left
   * as linked (but for what the lifecycle alone takes away), its record of
   * leaving scope (LinkedAccount.outOfScopeSince) included.
   */
  readonly undecided?: true;
  /**
   * The account is enabled and its credentials predate the current
   * employment (a termination and a rehire read in one pass): that
   * employment's first day (YYYY-MM-DD in lifecycle.timezone: Identity.startAt,
   * or the day the rehire was recorded when HR gives no start).
   * The planner gives it an enable that sets new credentials (reason
   * `rehire.credentials`), which says so in the plan.
   */
  readonly newEmploymentSince?: string;
}

// ---------------------------------------------------------------- accounts

/** An account as Roster last saw or made it: the link between identity and target account. */
export interface LinkedAccount {
  readonly target: string;
  readonly identityId: string;
  /** The target's stable id of the account (username, entryUUID, objectGUID, SCIM id). */
  readonly accountId: string;
  readonly attributes: Attributes;
  readonly entitlements: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When Roster disabled it, for "delete after grace" rules. */
  readonly disabledAt?: string;
  /**
   * When Roster recorded that the account's person left the target's scope
   * (the first applied change of a plan that gave it the scope-removed
   * treatment); absent while in scope. The delete grace of an account out of
   * scope runs from it (policy/lifecycle-rules.ts).
   */
  readonly outOfScopeSince?: string;
  /**
   * Entitlements among `entitlements` that Roster never granted (held when
   * the account was adopted or linked, or added in the target by hand since):
   * a revoke of one says `entitlement.not_granted`, not `role.removed`.
   * Absent: none known (never an empty list). Recorded by reconcile (a link
   * it makes: all the account holds; a refresh: what the link did not list)
   * and the executor (a grant or revoke takes its entitlement out), kept in
   * roster_accounts.not_granted (reconcile/not-granted.ts); read by the
   * planner and `roster explain`.
   */
  readonly notGranted?: readonly string[];
  /**
   * Where the account sits in the target is not where the target's
   * configuration places it (placement drift: a directory entry moved by
   * hand, with an ldap or ad target's `users.placement: enforce`). Recorded by
   * reconcile (Connector.placement), cleared by the change that puts it back;
   * the planner plans that move. Kept in roster_accounts.placement.
   */
  readonly placement?: AccountPlacement;
  /**
   * When Roster last set the account's credentials: its create, an enable
   * that wrote a password or was a rehire's (executor/apply-change.ts). A
   * rehire recorded after it (Identity.rehiredAt) means they are the former
   * employment's: the policy plans a reset (policy/rehire-credentials.ts).
   * Absent: a link reconcile made (read as its createdAt). Migration 0019
   * gave links stored before it the upgrade's time: an upgrade resets nothing.
   */
  readonly credentialsSetAt?: string;
}

/** An account not where its target's configuration places it (LinkedAccount.placement). */
export interface AccountPlacement {
  /** Where it is (a directory entry's DN). */
  readonly at: string;
  /** Where the configuration places it for its state and values (the DN template or an explicit `dn`; the disabled OU of a disabled entry). */
  readonly belongs: string;
  /**
   * Its enable and disable move it (ldap `disable.strategy: move`): a plan
   * that enables or disables it puts it in place with that change, never
   * with a move of its own first (a leaver moved out of the disabled OU by
   * hand goes back there, not through the active OU).
   */
  readonly byState?: true;
}

/** An account as a connector reads it from the target. */
export interface TargetAccount {
  readonly accountId: string;
  readonly attributes: Attributes;
  readonly entitlements: readonly string[];
  readonly enabled: boolean;
  /**
   * Attributes naming another object (AD's manager), as the object-id form
   * Roster may have written (`<GUID=…>`), where the target can tell: reconcile
   * compares a written reference with this rather than with the DN read.
   */
  readonly references?: Readonly<Record<string, string>>;
  /** Where the account sits (a directory entry's DN), from a connector that tells placement drift (Connector.placement). */
  readonly location?: string;
}

// ---------------------------------------------------------------- plans

export type ChangeAction = 'create' | 'update' | 'enable' | 'disable' | 'delete' | 'grant' | 'revoke';

export interface ChangeState {
  readonly accountId?: string;
  readonly enabled?: boolean;
  readonly attributes?: Attributes;
  readonly entitlement?: string;
  /**
   * The values of the target's secret attributes this change writes,
   * sealed (core/secrets.ts); `attributes` holds their fingerprints. Only
   * the executor opens them, and the audit log never records them.
   */
  readonly sealed?: Readonly<Record<string, string>>;
  /**
   * An update that puts the account back where its target places it
   * (reason `placement.drift`): where it is (before) and where it goes
   * (after; absent when the update's new values decide, see planner/diff.ts).
   */
  readonly placement?: string;
  /**
   * An enable of an account found enabled, whose credentials are from a
   * former employment (DesiredAccount.newEmploymentSince): the new
   * employment's first day, said in the plan line. The connector sets the
   * password anew though the account is enabled (EnableOptions.renew).
   */
  readonly newEmploymentSince?: string;
}

export interface Change {
  /** Deterministic: `${target}:${identity}:${action}[:${entitlement}]` plus the plan's id makes it unique. */
  readonly id: string;
  readonly identity: string;
  readonly target: string;
  readonly action: ChangeAction;
  readonly before: ChangeState | null;
  readonly after: ChangeState | null;
  readonly reasons: readonly string[];
}

export interface Hold {
  readonly target: string;
  /** 'safety.max_deletes' | 'safety.max_disables' | 'safety.max_revokes' | 'safety.max_moves' | 'safety.source_truncated' | ... */
  readonly code: string;
  readonly message: string;
  readonly count: number;
  readonly limit: number;
}

export interface Diagnostic {
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly message: string;
  readonly identity?: string;
  readonly target?: string;
  /** The identities a diagnostic about several people names (`reference.deferred`). */
  readonly identities?: readonly string[];
}

export interface Plan {
  readonly id: string;
  readonly createdAt: string;
  /** Store serial the plan was computed from; applying it after the serial moved is refused. */
  readonly basis: number;
  readonly changes: readonly Change[];
  readonly summary: Readonly<Partial<Record<ChangeAction, number>>>;
  readonly held: boolean;
  readonly holds: readonly Hold[];
  readonly diagnostics: readonly Diagnostic[];
  /** Queued changes of earlier plans this plan withdraws (core/withdrawn.ts); absent when none. */
  readonly withdrawn?: readonly import('./withdrawn.js').WithdrawnChange[];
}

// ---------------------------------------------------------------- execution

export type JobStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** One change in the durable queue. */
export interface Job {
  readonly id: string;
  readonly planId: string;
  readonly change: Change;
  readonly target: string;
  /** `${target}:${identity}`: jobs with the same key run one at a time, in seq order. */
  readonly orderingKey: string;
  readonly seq: number;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly nextRunAt: string;
  readonly leaseUntil?: string;
  readonly lastError?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

// ---------------------------------------------------------------- audit

export interface AuditEntryInput {
  /** 'identity.joiner', 'plan.created', 'change.applied', 'change.failed', 'token.created', ... */
  readonly kind: string;
  /** 'system', 'scheduler', 'cli:<user>', 'token:<name>', 'source:<id>' */
  readonly actor: string;
  readonly identity?: string;
  readonly target?: string;
  readonly reasons?: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly data?: unknown;
}

/** In the place of an audit entry the store could not read back (a JSON column edited into text that is not JSON): its seq and why. */
export interface UnreadableAuditEntry {
  readonly seq: number;
  readonly unreadable: string;
}

export interface AuditEntry extends AuditEntryInput {
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}
