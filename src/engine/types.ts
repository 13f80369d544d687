import type { RosterConfig } from '../config/types.js';
import type {
  AuditEntry, Diagnostic, Identity, IdentityKey, LifecycleEvent, LinkedAccount, Plan, SourceBatch, SourceProblem,
} from '../core/types.js';
import type { CancelFilter, Store } from '../store/types.js';
import type { PassMode } from '../sources/index.js';
import type { TimelineEvent } from './timeline.js';

/**
 * The engine wires the pipeline together: sources -> identities -> policy ->
 * planner -> executor. The CLI and the HTTP API are thin edges over it.
 */
export interface Engine {
  readonly config: RosterConfig;
  readonly store: Store;

  /** Merge a batch of source records into identities; records lifecycle events. */
  ingest(batch: SourceBatch, actor: string): Promise<IngestResult>;
  /** Read a file source (csv/json) and ingest it. */
  readSource(sourceId: string, actor: string): Promise<IngestResult>;

  /** Compute (and save) a plan. Pure read: nothing is changed in any target. */
  plan(options?: PlanOptions): Promise<Plan>;
  /**
   * Apply a plan: refused with 'plan.stale' when the store serial moved since
   * plan.basis, with 'plan.held' when the plan is held (unless force).
   * Enqueues its changes and, unless `background`, waits until they are done.
   */
  apply(plan: Plan, options: ApplyOptions): Promise<ApplyResult>;
  /** readSource for every file source, then plan + apply. */
  sync(options: ApplyOptions & PlanOptions): Promise<SyncResult>;
  /** Plan + apply for just these identities (HR push path: must be fast). */
  reconcileIdentities(ids: readonly string[], actor: string): Promise<ApplyResult & { plan: Plan }>;

  explain(identityId: string): Promise<Explain>;

  /**
   * Read every account of a target, link the ones that match an identity
   * (never creating any), refresh links to the target's actual state, and
   * report orphans and disputes. Orphan actions (disable / delete, from the
   * target's config) are applied only when `apply` is set and the plan is not
   * held (unless `force`).
   */
  reconcile(targetId: string, options: ReconcileOptions): Promise<ReconcileResult>;

  /**
   * Each target's connector `check()` (connection, credentials, and for SCIM
   * the discovery of /ServiceProviderConfig): what `roster status --check`
   * shows, so a target that cannot work says why instead of failing job by job.
   * Each check is timed; one not done within `timeoutMs` is reported as timed
   * out (engine/check-targets.ts).
   */
  checkTargets(options?: CheckTargetsOptions): Promise<TargetCheck[]>;

  /**
   * Lift a target's quarantine (`roster quarantine release`, POST
   * /targets/{id}/release): its pending changes run again. Whether it was in
   * quarantine; 'target.not_found' for a target the configuration lacks.
   */
  releaseQuarantine(targetId: string, actor: string): Promise<boolean>;

  /**
   * Put a target in quarantine by hand (`roster quarantine hold`, POST
   * /targets/{id}/hold): no change to it starts until it is released; changes
   * already running finish. Whether it was newly held (false when it already
   * was); 'target.not_found' for a target the configuration lacks.
   */
  holdQuarantine(targetId: string, actor: string, reason: string): Promise<boolean>;

  /**
   * Cancel queued changes (`roster queue cancel`, POST /plans/{id}/cancel,
   * POST /targets/{id}/cancel): the pending ones of a plan, of a target, or
   * of a plan on one target never run; changes already running finish. The
   * next plan computes again whatever is still needed. Audited as
   * `queue.cancelled` when any was cancelled. 'plan.not_found' for a plan
   * the store lacks, 'target.not_found' for a target the configuration lacks.
   */
  cancelQueued(filter: CancelFilter, actor: string, reason: string): Promise<CancelResult>;

  /** Start workers (executor loops) and the scheduler; used by `roster serve`. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Observability counters for /metrics. */
  readonly metrics: EngineMetrics;
}

export interface PlanOptions {
  readonly identity?: string;
  readonly target?: string;
  readonly now?: Date;
  /** Who asked for the plan, recorded on its `plan.created` audit entry (`token:<name>`, `cli:<user>`); `system` when unset (the scheduler). */
  readonly actor?: string;
}

export interface ApplyOptions {
  readonly actor: string;
  /** Apply a held plan anyway (an operator decided). */
  readonly force?: boolean;
  /** Return after enqueueing; workers apply it. */
  readonly background?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ReconcileOptions extends ApplyOptions {
  /** Apply the orphan plan (when not held, or `force` and held only by safety limits: reconcile/holds.ts). */
  readonly apply?: boolean;
  /**
   * `force` also accepts a first pass that read fewer than safety.minAccounts
   * accounts (a new, empty directory): without it such a pass leaves the
   * target's creates held.
   */
  readonly force?: boolean;
  /**
   * Remove the links whose account the read did not return even when the read
   * looks short (src/reconcile/vanished.ts). Separate from `force` on purpose:
   * a removed link makes the next plan create that person's account again.
   */
  readonly removeVanished?: boolean;
}

export interface CancelResult {
  readonly planId?: string;
  readonly target?: string;
  /** Pending changes cancelled now. */
  readonly cancelled: number;
  /** Changes of the plan or target still running: they finish. */
  readonly running: number;
}

export interface ApplyResult {
  readonly planId: string;
  readonly applied: number;
  readonly failed: number;
  readonly pending: number;
  /** Changes of the plan cancelled by an operator (`roster queue cancel`); absent when none were. */
  readonly cancelled?: number;
  readonly errors: readonly { readonly changeId: string; readonly error: string }[];
  /**
   * Changes of the plan left out when it was enqueued: another process queued
   * their equal after the plan was made (the stored plan says so in its
   * `plan.already_queued` notes, `notes` here). Absent when none were.
   */
  readonly leftOut?: { readonly changes: number; readonly notes: readonly Diagnostic[] };
  /**
   * Jobs of earlier plans this apply ran too (its claims take any plan's
   * runnable jobs: a target released from quarantine), by plan. Absent when none.
   */
  readonly released?: readonly ReleasedRun[];
  /**
   * Targets of the plan in quarantine when the apply returned, with changes of
   * the plan waiting for them (they run once an operator releases the target).
   * Absent when none.
   */
  readonly quarantined?: readonly {
    readonly target: string; readonly since: string; readonly reason: string; readonly pending: number;
    /** Who held it by hand (`roster quarantine hold`); absent when repeated failures put it there. */
    readonly by?: string;
  }[];
  /**
   * The follow-up plan that set the references this plan deferred (reports'
   * references to managers' accounts it created: engine/follow-up.ts). Absent
   * when it deferred none, or none was left to set.
   */
  readonly followUp?: FollowUpResult;
}

/** A follow-up plan's outcome: `changes` updates; `held`: saved and not applied (a source hold). */
export interface FollowUpResult {
  readonly planId: string;
  readonly changes: number;
  readonly held?: true;
  readonly applied: number;
  readonly failed: number;
  readonly pending: number;
  readonly errors: readonly { readonly changeId: string; readonly error: string }[];
  /** The follow-up could not be made or run (`planId` '' when it was not saved): why; the next plan sets the references. */
  readonly error?: string;
}

/**
 * What an apply ended of another plan's jobs: finished now, and still waiting
 * (pending or running) after it. Most ran (an earlier plan's, a target
 * released from quarantine); `notAttempted`, of `failed`, were never run:
 * failed with a create they needed that failed for good (executor/dependents.ts),
 * such as a later plan's grants behind this plan's create (absent when none).
 */
export interface ReleasedRun {
  readonly planId: string;
  readonly applied: number;
  readonly failed: number;
  readonly pending: number;
  readonly notAttempted?: number;
}

export interface IngestResult {
  readonly sourceId: string;
  readonly received: number;
  readonly created: number;
  readonly changed: number;
  readonly unchanged: number;
  readonly missing: number;
  readonly problems: readonly SourceProblem[];
  /** What the merge found (key conflicts, truncation, dates it could not read): also in the audit log. */
  readonly diagnostics: readonly Diagnostic[];
  readonly events: readonly LifecycleEvent[];
  /** Identities whose desired state may have changed. */
  readonly affected: readonly string[];
  /** The pass a read made (readSource; absent for a push): a file is read whole, and a directory's incremental pass without a usable cursor reads in full. */
  readonly mode?: PassMode;
}

export interface SyncResult {
  readonly ingests: readonly IngestResult[];
  readonly plan: Plan;
  readonly result?: ApplyResult;
}

export interface Explain {
  readonly identity: Identity;
  /** Its keys besides its id, when it has any: continued under a new key (fields.previousKey), the current one and the former ones. */
  readonly keys?: readonly IdentityKey[];
  /** State as of now (dates may have taken effect since last stored). */
  readonly effectiveState: Identity['state'];
  /** Its lifecycle events in the order they take effect, ties in recorded order (timeline.ts). */
  readonly timeline: readonly TimelineEvent[];
  readonly accounts: readonly {
    readonly target: string;
    readonly linked?: LinkedAccount;
    readonly desired: import('../core/types.js').DesiredAccount;
    /** How the linked account came to be: created by Roster, adopted by reconcile (and by which rule), linked by hand. */
    readonly origin?: string;
    /**
     * Targets whose groups nest (Active Directory), read live: every group
     * the account is in, directly or through other groups; or why it could
     * not be read. Absent for other targets and accounts not linked.
     */
    readonly effective?: { readonly entitlements: readonly string[] } | { readonly error: string };
  }[];
  readonly audit: readonly AuditEntry[];
}

export type ReconcileResult = import('./reconcile.js').ReconcileReport & { readonly result?: ApplyResult };

export interface EngineMetrics {
  changesApplied(target: string): void;
  changesFailed(target: string): void;
  cycleDuration(kind: 'plan' | 'apply' | 'sync' | 'ingest', ms: number): void;
}

export interface TargetCheck {
  readonly target: string;
  readonly ok: boolean;
  /** The RosterError code and message when the check failed. */
  readonly code?: string;
  readonly message?: string;
  /** How long the check took (wall clock, whole ms; a timed-out one: until it was abandoned). Always set by the engine. */
  readonly ms?: number;
  /** Passed, but took CheckTargetsOptions.slowMs or more. */
  readonly slow?: true;
  /** Failed for a timeout: no answer within CheckTargetsOptions.timeoutMs, or the connector's own timeout. */
  readonly timedOut?: true;
}

export interface CheckTargetsOptions {
  /** Give up waiting for a target's check after this long (default 15000 ms). */
  readonly timeoutMs?: number;
  /** A check taking this long or more is slow (default 1000 ms). */
  readonly slowMs?: number;
}
