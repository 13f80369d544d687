import type {
  AuditEntry, AuditEntryInput, Identity, IdentityKey, LifecycleEvent, LinkedAccount, Plan, UnreadableAuditEntry,
} from '../core/types.js';
import type { QueueStore } from './queue-types.js';
import type { Report, ReportsQuery } from './identity-reports.js';

export type {
  CancelFilter, CancelOptions, CompletedJob, EnqueueJob, EnqueueOptions, EnqueueResult, FailDependents, JobEffects, JobState, LeaseHolder, QueueStats, QueueStore,
} from './queue-types.js';

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
  /** The ids of a source's identities, in id order: an index-only read (engine/respelled-keys.ts folds them). */
  listIds(options: { readonly sourceId: string }): Promise<string[]>;
  /** A source's identities stored with one of these directory entries (Identity.sourceEntry), in id order: an index read. */
  listByEntries(options: { readonly sourceId: string; readonly entries: readonly string[] }): Promise<Identity[]>;
  /**
   * Insert or replace, in one transaction; bumps the store serial once when anything was written.
   * `keys`: identity keys (a continuation's, lifecycle/continued.ts) written in the same transaction, replacing rows of the same key.
   */
  upsertMany(identities: readonly Identity[], keys?: readonly IdentityKey[]): Promise<void>;
  /**
   * Keys of identities besides their ids (IdentityKey), by key (`keys`, any
   * source), by source (`sourceId`) or by identity (`identityIds`): each an
   * indexed read. In key order.
   */
  listKeys(options: { readonly keys: readonly string[] } | { readonly sourceId: string } | { readonly identityIds: readonly string[] }): Promise<IdentityKey[]>;
  /**
   * The identities whose manager field (per source, `fields`) holds one of
   * `managers`, in id order, each with that name: the reports of people
   * whose accounts a subset plan creates (engine/outside-reports.ts). Not
   * indexed: a scan of the identities unless the read cache holds them.
   */
  listReports(query: ReportsQuery): Promise<Report[]>;
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
