import type {
  AuditEntry, AuditEntryInput, Change, Identity, Job, JobStatus, LifecycleEvent, LinkedAccount, Plan, UnreadableAuditEntry,
} from '../core/types.js';
import type { QueuedChangesReader } from './queued-changes.js';

/**
 * The store: one set of interfaces, implemented once with Kysely for SQLite
 * (embedded default) and PostgreSQL. Every method is async and every back end
 * passes test/conformance/store.test.ts.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly identities: IdentityStore;
  readonly accounts: AccountStore;
  readonly plans: PlanStore;
  readonly queue: QueueStore;
  readonly audit: AuditStore;
  readonly tokens: TokenStore;
  readonly state: StateStore;
  /** The SCIM server's resources (Users, Groups), queried with translated SCIM filters. */
  readonly scim: ScimStore;
  /** Create or upgrade the schema. Safe to call on every start, from several processes. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface IdentityStore {
  get(id: string): Promise<Identity | undefined>;
  getMany(ids: readonly string[]): Promise<Identity[]>;
  list(options?: { readonly sourceId?: string; readonly limit?: number; readonly offset?: number }): Promise<Identity[]>;
  count(): Promise<number>;
  /**
   * The ids of identities whose start or end date falls in one of the spans,
   * in id order, each once: an indexed read of the few it finds, not of
   * everyone (the scheduler's due check every minute, engine/due.ts).
   */
  listIdsDatedIn(spans: readonly DateSpan[]): Promise<string[]>;
  /** Insert or replace, in one transaction; bumps the store serial once when anything was written. */
  upsertMany(identities: readonly Identity[]): Promise<void>;
  /** Lifecycle events, appended; listed by identity in recorded order. */
  appendEvents(events: readonly LifecycleEvent[]): Promise<void>;
  events(identityId: string): Promise<LifecycleEvent[]>;
}

/**
 * A span of one of an identity's dates: after < date <= through, compared as
 * stored text. That is the order of the instants for dates as Roster writes
 * them (lifecycle/merge.ts: Date#toISOString, `2026-03-01T08:00:00.000Z`,
 * years 0000-9999); a date stored in another form compares as its text.
 */
export interface DateSpan {
  readonly date: 'start' | 'end';
  readonly after: string;
  readonly through: string;
}

export interface AccountStore {
  get(target: string, identityId: string): Promise<LinkedAccount | undefined>;
  /** The links of these (target, identity) pairs that exist, in no particular order: one read for a batch of jobs. */
  getMany(refs: readonly { readonly target: string; readonly identityId: string }[]): Promise<LinkedAccount[]>;
  listByTarget(target: string): Promise<LinkedAccount[]>;
  listByIdentity(identityId: string): Promise<LinkedAccount[]>;
  listAll(): Promise<LinkedAccount[]>;
  /**
   * The target's links whose delete grace may be running: disabled, or marked
   * out of scope (the scheduler's due check, engine/due.ts; a small part of
   * all links, read every minute).
   */
  listGraceCandidates(target: string): Promise<LinkedAccount[]>;
  /** How many links the target has now: one indexed count (the safety limits' base, engine/planning.ts). */
  count(target: string): Promise<number>;
  /** The link holding this account of the target, if any (an orphan re-checked before it is acted on). */
  getByAccountId(target: string, accountId: string): Promise<LinkedAccount | undefined>;
  /** The target's links holding any of these accounts, in no particular order: one read for many (a reconcile pass re-checking its orphans). */
  listByAccountIds(target: string, accountIds: readonly string[]): Promise<LinkedAccount[]>;
  /** Insert or replace the link for (target, identityId); bumps the serial. */
  upsert(account: LinkedAccount): Promise<void>;
  upsertMany(accounts: readonly LinkedAccount[]): Promise<void>;
  remove(target: string, identityId: string): Promise<void>;
}

export interface PlanStore {
  save(plan: Plan): Promise<void>;
  get(id: string): Promise<Plan | undefined>;
  /** Newest first; without changes' bodies when `summaryOnly`. */
  list(options?: { readonly limit?: number }): Promise<Plan[]>;
}

export interface EnqueueJob {
  readonly id: string;
  readonly planId: string;
  readonly change: Job['change'];
  readonly target: string;
  readonly orderingKey: string;
  readonly seq: number;
}

export interface JobEffects {
  readonly upsertAccount?: LinkedAccount;
  readonly removeAccount?: { readonly target: string; readonly identityId: string };
  readonly audit?: readonly AuditEntryInput[];
}

/** One finished job for `QueueStore.completeMany`. */
export interface CompletedJob {
  readonly jobId: string;
  readonly effects?: JobEffects;
}

export interface QueueStats {
  readonly pending: number;
  readonly running: number;
  readonly done: number;
  readonly failed: number;
  /** Cancelled by an operator before they ran (`roster queue cancel`): never run, no longer holding anything back. */
  readonly cancelled: number;
}

/** Which pending jobs QueueStore.cancel cancels: a target's, a plan's, or a plan's on one target. */
export interface CancelFilter {
  readonly target?: string;
  readonly planId?: string;
}

export interface CancelOptions {
  /**
   * Jobs of the filter that `workerId` leased and has not started (they wait
   * in its lines): cancelled too, while still running under that worker.
   */
  readonly leased?: { readonly workerId: string; readonly jobIds: readonly string[] };
  /** Appended in the same transaction when any job was cancelled, with `cancelled` (the count) added to its data. */
  readonly audit?: AuditEntryInput;
  /** false: only the `leased` jobs, no pending one (default true). */
  readonly pending?: boolean;
}

/** A queued job as progress sees it: everything but the change. */
export type JobState = Omit<Job, 'change'>;

export interface QueueStore extends QueuedChangesReader {
  /** Adds jobs; ids already present are ignored (enqueueing is idempotent). */
  /**
   * `now` is when the jobs become due (default: the wall clock). The executor
   * passes its own clock, the one `claim` compares against: with a test or
   * replay clock behind the wall clock, wall-clock due times would never come.
   */
  enqueue(jobs: readonly EnqueueJob[], options?: { readonly now?: Date }): Promise<void>;
  /**
   * Atomically leases up to `limit` runnable jobs: status pending with
   * nextRunAt <= now, or running with an expired lease (a crashed worker),
   * and no earlier (lower seq) unfinished job with the same orderingKey.
   * At most `perTarget[target]` jobs per target may be running at once
   * (counting the ones already leased by anyone). Sets status running,
   * leaseUntil = now + leaseMs, attempts + 1.
   */
  claim(options: {
    readonly workerId: string;
    readonly limit: number;
    readonly leaseMs: number;
    readonly now?: Date;
    readonly targets?: readonly string[];
    readonly perTarget?: Readonly<Record<string, number>>;
    /**
     * Prefetch: while no other worker holds a live lease on a target, this
     * worker may lease up to `window[target]` of its jobs (it runs at most
     * `perTarget[target]` of them at once itself). As soon as another worker
     * holds one too, `perTarget` bounds the live leases of all of them
     * together, so the target never sees more than `perTarget` at once.
     */
    readonly window?: Readonly<Record<string, number>>;
    /**
     * The change of a leased job when the caller already holds it (it
     * enqueued the plan itself, see Executor), else undefined. Those changes
     * are not read back from the store: reading and parsing every change
     * again was a good part of what a claim cost. What it returns must be
     * what the job was enqueued with, as stored (store/json asStored).
     */
    readonly knownChange?: (job: JobState) => Change | undefined;
  }): Promise<Job[]>;
  /**
   * Marks the job done and, in the same transaction, records what applying it
   * changed: the account link written or removed and the audit entries. A
   * crash therefore leaves either all of it or none of it. Returns false (and
   * writes nothing) when the job is no longer running under `workerId`.
   */
  complete(jobId: string, workerId: string, effects?: JobEffects): Promise<boolean>;
  /**
   * `complete` for many jobs in one transaction: each job still running under
   * `workerId` is marked done and its effects written (in the order given);
   * the others are left alone. Returns, per job given, whether it completed.
   * All or nothing: when any effect cannot be written, nothing is.
   */
  completeMany(workerId: string, jobs: readonly CompletedJob[]): Promise<boolean[]>;
  /**
   * Gives back leased jobs this worker never started: those still running
   * under `workerId` become pending again (due at once) and the claim's
   * attempt is undone. Returns how many were released.
   */
  release(jobIds: readonly string[], workerId: string): Promise<number>;
  /**
   * Extends to `leaseUntil` the leases this worker still holds on these jobs
   * (running under `workerId`; a lease already later stays), in one
   * statement: a worker keeps the jobs it is running while it is alive, and
   * a dead worker's leases still run out. Returns how many were extended.
   */
  renew(jobIds: readonly string[], workerId: string, leaseUntil: Date): Promise<number>;
  /**
   * Back to pending at `retryAt`, or failed for good when `retryAt` is null
   * (audit written in the same transaction), if the job is still running
   * (under `workerId` when given: a worker whose lease was taken over must
   * not end or re-queue the new holder's run). Returns whether it was recorded.
   */
  fail(jobId: string, error: string, retryAt: Date | null, audit?: readonly AuditEntryInput[], workerId?: string): Promise<boolean>;
  get(jobId: string): Promise<Job | undefined>;
  listByPlan(planId: string): Promise<Job[]>;
  /**
   * The plan's jobs without their changes (status, times, last error), in
   * listByPlan's order; only those in `statuses` when given. What progress
   * and idle checks read: cheap for a big plan.
   */
  listStatesByPlan(planId: string, statuses?: readonly JobStatus[]): Promise<JobState[]>;
  /**
   * The create jobs of `target` that may have added their account without
   * having linked it yet: running (whatever its lease), or pending again
   * after an attempt. What an orphan's delete or disable checks first
   * (another process's joiner looks like an orphan until its link lands).
   */
  createsUnderWay(target: string): Promise<Array<{ readonly jobId: string; readonly planId: string; readonly change: Change }>>;
  /** Jobs per status, of one target and/or one plan when given. */
  stats(options?: { readonly target?: string; readonly planId?: string }): Promise<QueueStats>;
  /**
   * Cancel every pending job of a target, of a plan, or of a plan on one
   * target (and the leased jobs `options.leased` names), in one transaction
   * with its audit entry. Running jobs are left to finish: they may be under
   * way at the target. Returns how many were cancelled.
   */
  cancel(filter: CancelFilter, options?: CancelOptions): Promise<number>;
  /** The plans with a pending or running job on the target (a cancel of the target covers these, not later plans). */
  unfinishedPlans(target: string): Promise<string[]>;
}

export interface AuditStore {
  /**
   * Appends entries to the hash chain (seq, at, prevHash, hash are assigned
   * here, serialised across processes) and returns them; with `returning:
   * false` returns [] (a writer that never reads them back: no copy of each
   * entry as stored is built).
   */
  append(entries: readonly AuditEntryInput[], options?: { readonly returning?: boolean }): Promise<AuditEntry[]>;
  /**
   * Entries in seq order: ascending (oldest first, the default), or with
   * `order: 'desc'` newest first, so `limit` keeps the newest (an identity's
   * or a kind's through their (identity, seq) and (kind, seq) indexes).
   */
  list(options?: {
    readonly afterSeq?: number;
    readonly limit?: number;
    readonly identity?: string;
    readonly kind?: string;
    readonly order?: 'asc' | 'desc';
  }): Promise<AuditEntry[]>;
  /**
   * list's page, with an entry the store cannot read back (a JSON column
   * edited into text that is not JSON) given in its place as its seq and
   * why, instead of failing the whole page (what the API serves: one
   * damaged entry must not hide the rest of the log; `audit verify` names it).
   */
  listMarked(options?: Parameters<AuditStore['list']>[0]): Promise<Array<AuditEntry | UnreadableAuditEntry>>;
  /** Streams every entry in seq order (for verify and export). */
  iterate(batchSize?: number): AsyncIterable<AuditEntry>;
}

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  /** 'api' (REST), 'scim', 'push:<sourceId>', 'admin' */
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt?: string;
  readonly revokedAt?: string;
}

export interface TokenStore {
  create(token: ApiToken & { readonly hash: string }): Promise<void>;
  findByHash(hash: string): Promise<ApiToken | undefined>;
  list(): Promise<ApiToken[]>;
  revoke(id: string): Promise<boolean>;
  touch(id: string, at: Date): Promise<void>;
}

/** Small key/value state: source cursors, the store serial, quarantine flags. */
export interface StateStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /**
   * Store `value` under `key` unless the key already holds one, atomically:
   * of several processes racing to set it, one wins. Returns what the key
   * holds afterwards (the winner's value).
   */
  setIfAbsent<T>(key: string, value: T): Promise<T>;
  /**
   * Read-modify-write of one key, atomically across processes: `change`
   * gets what the key holds (undefined when nothing) and returns what it
   * should hold (undefined removes it); writers of the same key never lose
   * each other's change. `change` must be quick and pure: it runs inside a
   * write transaction, and may run again. Returns the value written.
   */
  update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
  /** The store serial: increases whenever identities or accounts change. */
  serial(): Promise<number>;
}

/**
 * One resource kept by the SCIM server (RFC 7643 §3). `data` is the resource
 * as on the wire minus `id` and `meta` (the store owns those): core
 * attributes at the top with their schema's canonical names, extension
 * attributes under a key named by the extension URN, `schemas` included,
 * dateTimes in `normaliseDateTime` form. The store never interprets `data`
 * except through a translated filter or sort.
 */
export interface ScimResource {
  readonly resourceType: string;
  readonly id: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** 1 on create, +1 on every write: the ETag is `W/"<version>"`. */
  readonly version: number;
  /** ISO-8601 UTC, `normaliseDateTime` form (meta.created / meta.lastModified). */
  readonly created: string;
  readonly lastModified: string;
}

/** What a write gives the store besides `data`. */
export interface ScimWrite {
  readonly resourceType: string;
  readonly id: string;
  readonly data: Readonly<Record<string, unknown>>;
  /**
   * The value unique per resource type, compared case-insensitively (Unicode
   * lower case on both back ends, as the filter's `lower()`; see sqlite.ts):
   * userName for Users, displayName for Groups. A second resource with the
   * same one is refused with RosterError('store.conflict', …, { details: { scimType: 'uniqueness' } }).
   */
  readonly uniqueName: string;
}

export interface ScimQuery {
  readonly resourceType: string;
  /** A predicate from `translateFilter(…, store.dialect, store.scim.columnOf, { dataColumn: 'data' })`. */
  readonly filter?: { readonly sql: string; readonly params: readonly unknown[] };
  /** A trusted SQL expression from `translateSort`, and its direction. Without one: ordered by created, then id. */
  readonly sort?: { readonly sql: string; readonly descending: boolean };
  /** 0-based offset (SCIM startIndex − 1). */
  readonly offset: number;
  /** Page size; 0 asks only for the total. */
  readonly limit: number;
  /**
   * Keyset paging (RFC 9865 cursors): rows strictly after `after` in the
   * query's order (from the first row without it), offset 0, and the result
   * carries each row's key. Rows added or removed elsewhere never shift a
   * page, and a deep page costs what the first does.
   */
  readonly keyset?: { readonly after?: ScimKeyset };
}

/** A row's place in a ScimQuery's order: its sort value (created when unsorted; NULL when it has none) and its id. */
export interface ScimKeyset {
  readonly sortValue: string | number | null;
  readonly id: string;
}

export interface ScimStore {
  /** Maps `id`, `meta.created`, `meta.lastModified` (and any other attribute this store keeps in a column) to trusted SQL for the filter translator. */
  readonly columnOf: (attribute: string) => string | undefined;
  /** Inserts; version 1, created = lastModified = `at` (default now). */
  create(write: ScimWrite, at?: Date): Promise<ScimResource>;
  /** Many inserts in one transaction (bulk loads, benchmarks); all or nothing. */
  createMany(writes: readonly ScimWrite[], at?: Date): Promise<void>;
  get(resourceType: string, id: string): Promise<ScimResource | undefined>;
  getMany(resourceType: string, ids: readonly string[]): Promise<ScimResource[]>;
  /**
   * Replaces `data` and bumps the version. `ifVersion` (from If-Match):
   * RosterError('request.precondition_failed') when the stored version differs.
   * RosterError('store.not_found') when there is no such resource.
   */
  replace(write: ScimWrite, options?: { readonly ifVersion?: number; readonly at?: Date }): Promise<ScimResource>;
  /** False when there was nothing to delete; precondition as `replace`. */
  delete(resourceType: string, id: string, options?: { readonly ifVersion?: number }): Promise<boolean>;
  /** `keys` (one per resource, in order) only when the query asked for a keyset page. */
  query(query: ScimQuery): Promise<{ readonly total: number; readonly resources: ScimResource[]; readonly keys?: readonly ScimKeyset[] }>;
  /** Every resource of a type in id order, streamed in pages (the inbound SCIM source reads Users this way). */
  iterate(resourceType: string, pageSize?: number): AsyncIterable<ScimResource>;
  count(resourceType: string): Promise<number>;
  /**
   * The Groups naming each of `memberIds` (User or Group ids) in their
   * `members`, from the membership the store keeps with every Group write:
   * one indexed query, no Group document read. Every asked id is a key
   * (an empty list when in no Group); each list is in Group id order.
   */
  groupsOf(memberIds: readonly string[]): Promise<Map<string, { id: string; displayName: string }[]>>;
}
