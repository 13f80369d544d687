import { sql, type CreateTableBuilder, type RawBuilder, type Kysely, type Migration } from 'kysely';
import { AUDIT_HEAD_KEY, EMPTY_HEAD, type AuditHead } from '../audit/head.js';
import type { Dialect } from './context.js';
import { addTextColumnOnce } from './add-column.js';
import { notGrantedColumn } from './migration-not-granted.js';
import { jobHoldersIndex } from './migration-lease-holders.js';
import { rehiredAtColumn } from './migration-rehired-at.js';
import { credentialsSetAtColumn } from './migration-credentials-set-at.js';

/** The schema as Kysely migrations; their names sort in the order they run. */
export function migrations(dialect: Dialect): Readonly<Record<string, Migration>> {
  return {
    '0001_initial': { up: (db) => initial(db, dialect) },
    '0002_plan_changes': { up: (db) => planChanges(db, dialect) },
    '0003_scim': { up: (db) => scimResources(db, dialect) },
    '0004_scim_members': { up: (db) => scimMembers(db, dialect) },
    '0005_audit_head': { up: (db) => auditHead(db) },
    '0006_job_partial_indexes': { up: (db) => jobPartialIndexes(db) },
    '0007_unicode_lower': { up: (db) => unicodeLowerIndexes(db, dialect) },
    '0008_out_of_scope_since': { up: (db) => outOfScopeSince(db, dialect) },
    '0009_job_cancelled_index': { up: (db) => jobCancelledIndex(db) },
    '0010_identity_dates': { up: (db) => identityDateIndexes(db, dialect) },
    '0011_account_id_index': { up: (db) => accountIdIndex(db) },
    '0012_job_retrying_index': { up: (db) => jobRetryingIndex(db) },
    '0013_identity_keys': { up: (db) => identityKeys(db, dialect) },
    '0014_not_granted': { up: (db) => notGrantedColumn(db, dialect) },
    '0015_job_holders_index': { up: (db) => jobHoldersIndex(db) },
    // The directory entry (entryUUID, objectGUID) an identity was read from: a key respelled in case is the person only from it.
    '0016_identity_source_entry': { up: (db) => addTextColumnOnce(db, dialect, 'roster_identities', 'source_entry') },
    // Where a linked account is when that is not where its target places it (LinkedAccount.placement): reconcile records it, a plan moves it back.
    '0017_account_placement': { up: (db) => addTextColumnOnce(db, dialect, 'roster_accounts', 'placement') },
    // When the current employment was recorded as a new one (Identity.rehiredAt): a rehire is told from a return by it.
    '0018_identity_rehired_at': { up: (db) => rehiredAtColumn(db, dialect) },
    // When Roster last set a linked account's credentials (LinkedAccount.credentialsSetAt): a rehire after it resets them.
    '0019_account_credentials_set_at': { up: (db) => credentialsSetAtColumn(db, dialect) },
    // The queued changes a plan withdraws (Plan.withdrawn, JSON; null: none): cancelled when the plan is queued.
    '0020_plan_withdrawn': { up: (db) => addTextColumnOnce(db, dialect, 'roster_plans', 'withdrawn') },
    // A directory source's identities by entry (IdentityStore.listByEntries): a key change an incremental pass reads.
    '0021_identity_entry_index': {
      up: (db) => db.schema.createIndex('roster_identities_entry').ifNotExists().on('roster_identities').columns(['source_id', 'source_entry']).execute(),
    },
  };
}

/** A surrogate, increasing key: the insertion order of events, plans and jobs. */
function withSerialKey<T extends string>(table: CreateTableBuilder<T>, dialect: Dialect): CreateTableBuilder<T> {
  return dialect === 'postgres'
    ? table.addColumn('n', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('n', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Text compared byte-wise in both dialects, so `order by id` agrees (PostgreSQL would use the locale). */
function keyText(dialect: Dialect): 'text' | RawBuilder<unknown> {
  return dialect === 'postgres' ? sql`text collate "C"` : 'text';
}

// Migrations run against any schema version, so they see an untyped database.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function initial(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('roster_identities')
    .addColumn('id', keyText(dialect), (c) => c.primaryKey())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('start_at', 'text')
    .addColumn('end_at', 'text')
    .addColumn('missing_since', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_identities_source').on('roster_identities').columns(['source_id', 'id']).execute();

  await withSerialKey(db.schema.createTable('roster_events'), dialect)
    .addColumn('identity_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('effective_at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('changes', 'text')
    .addColumn('reasons', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_events_identity').on('roster_events').columns(['identity_id', 'n']).execute();

  await db.schema.createTable('roster_accounts')
    .addColumn('target', keyText(dialect), (c) => c.notNull())
    .addColumn('identity_id', keyText(dialect), (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('entitlements', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addPrimaryKeyConstraint('roster_accounts_pk', ['target', 'identity_id'])
    .execute();
  await db.schema.createIndex('roster_accounts_identity').on('roster_accounts').columns(['identity_id', 'target']).execute();

  await withSerialKey(db.schema.createTable('roster_plans'), dialect)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('basis', 'bigint', (c) => c.notNull())
    .addColumn('held', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('holds', 'text', (c) => c.notNull())
    .addColumn('diagnostics', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('change_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_plans_created').on('roster_plans').columns(['created_at', 'n']).execute();

  await withSerialKey(db.schema.createTable('roster_jobs'), dialect)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('plan_id', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('ordering_key', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('worker_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_jobs_runnable').on('roster_jobs').columns(['status', 'next_run_at', 'seq', 'n']).execute();
  await db.schema.createIndex('roster_jobs_leased').on('roster_jobs').columns(['status', 'lease_until', 'seq', 'n']).execute();
  await db.schema.createIndex('roster_jobs_ordering').on('roster_jobs').columns(['ordering_key', 'status']).execute();
  await db.schema.createIndex('roster_jobs_plan').on('roster_jobs').columns(['plan_id', 'seq']).execute();
  await db.schema.createIndex('roster_jobs_target').on('roster_jobs').columns(['target', 'status']).execute();

  await db.schema.createTable('roster_audit')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('identity', 'text')
    .addColumn('target', 'text')
    .addColumn('reasons', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('data', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_audit_identity').on('roster_audit').columns(['identity', 'seq']).execute();
  await db.schema.createIndex('roster_audit_kind').on('roster_audit').columns(['kind', 'seq']).execute();

  await db.schema.createTable('roster_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema.createTable('roster_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('roster_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into roster_counters (name, value) values ('serial', 0)`.execute(db);
}

/**
 * A plan's changes in chunks of a few thousand (see plan-changes.ts), so no
 * single text holds a whole large plan (deflated JSON). roster_plans.changes stays for plans
 * saved before this migration and is written as '[]'.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function planChanges(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('roster_plan_changes')
    .addColumn('plan_id', keyText(dialect), (c) => c.notNull())
    .addColumn('chunk', 'integer', (c) => c.notNull())
    .addColumn('body', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('roster_plan_changes_pk', ['plan_id', 'chunk'])
    .execute();
}

/**
 * The SCIM server's resources (see scim.ts). `data` is jsonb on PostgreSQL
 * because the filter translator reads it with jsonb operators. unique_name
 * keeps the database's default collation so PostgreSQL's lower() folds
 * Unicode; ids sort byte-wise in both dialects.
 *
 * The expression indexes repeat, character for character, what
 * translateFilter writes for `externalId eq` and `displayName eq` (the
 * planners match expressions structurally); `userName` is served by the
 * unique index through ScimStore.columnOf. test/conformance/scim-store.test.ts
 * checks with EXPLAIN that each filter uses its index.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function scimResources(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const postgres = dialect === 'postgres';
  await db.schema.createTable('roster_scim_resources')
    .addColumn('resource_type', keyText(dialect), (c) => c.notNull())
    .addColumn('id', keyText(dialect), (c) => c.notNull())
    .addColumn('data', postgres ? 'jsonb' : 'text', (c) => c.notNull())
    .addColumn('unique_name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('roster_scim_resources_pk', ['resource_type', 'id'])
    .execute();
  const externalId = postgres ? sql`(data->>'externalId')` : sql`json_extract(data, '$."externalId"')`;
  const displayName = postgres ? sql`lower((data->>'displayName'))` : sql`lower(json_extract(data, '$."displayName"'))`;
  await sql`create unique index roster_scim_resources_name on roster_scim_resources (resource_type, lower(unique_name))`.execute(db);
  await sql`create index roster_scim_resources_external on roster_scim_resources (resource_type, ${externalId})`.execute(db);
  await sql`create index roster_scim_resources_display on roster_scim_resources (resource_type, ${displayName})`.execute(db);
  await db.schema.createIndex('roster_scim_resources_created').on('roster_scim_resources').columns(['resource_type', 'created_at', 'id']).execute();
}

/**
 * Who is a member of which SCIM Group (see scim.ts): one row per Group and
 * member id, kept by the store in step with every Group write, so a User's
 * computed `groups` is an index lookup, not a filter over every Group
 * document. A member is a User or a Group (nesting); the index leads with
 * member_id for that lookup and covers group_id. Backfilled from the Groups
 * already stored: string `value`s of object elements of a `members` array.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function scimMembers(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('roster_scim_members')
    .addColumn('group_id', keyText(dialect), (c) => c.notNull())
    .addColumn('member_id', keyText(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('roster_scim_members_pk', ['group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('roster_scim_members_member').on('roster_scim_members').columns(['member_id', 'group_id']).execute();
  // Groups' names without their rows: SQLite stores unique_name after `data` in the row, so reading it from the
  // table walks a large Group's whole document (measured: 21 ms for the 1,000 memberships of a page of 100 Users).
  await sql`create index roster_scim_group_names on roster_scim_resources (id, unique_name) where resource_type = 'Group'`.execute(db);
  const backfill = dialect === 'postgres'
    ? sql`insert into roster_scim_members (group_id, member_id)
        select distinct r.id, m.value->>'value' from roster_scim_resources r
        cross join lateral jsonb_array_elements(case when jsonb_typeof(r.data->'members') = 'array' then r.data->'members' else '[]'::jsonb end) as m(value)
        where r.resource_type = 'Group' and jsonb_typeof(m.value->'value') = 'string'`
    : sql`insert or ignore into roster_scim_members (group_id, member_id)
        select r.id, json_extract(m.value, '$."value"') from roster_scim_resources r, json_each(r.data, '$."members"') as m
        where r.resource_type = 'Group' and json_type(r.data, '$."members"') = 'array'
        and m.type = 'object' and json_type(m.value, '$."value"') = 'text'`;
  await backfill.execute(db);
}

/**
 * The audit chain head (see audit/head.ts), kept under a roster_state key
 * from now on: recorded here from the log as it stands, so a log written
 * before heads were kept is anchored from this point (a tail removed before
 * the upgrade stays invisible), and a missing head always means tampering.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function auditHead(db: Kysely<any>): Promise<void> {
  const last = await db.selectFrom('roster_audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const head: AuditHead = last === undefined ? EMPTY_HEAD : { seq: Number(last.seq), hash: String(last.hash) };
  await db.insertInto('roster_state').values({ key: AUDIT_HEAD_KEY, value: JSON.stringify(head) }).execute();
}

/**
 * The job queue's indexes, partial by job state (see JOB_INDEX_STATES in
 * jobs.ts, whose literals these predicates repeat). The indexes of 0001 led
 * with status or carried it, so each claim and each completion moved an
 * entry in four indexes, and done jobs (most of the table, in time) stayed
 * in every one of them. The claim now walks an index holding only pending
 * (or only running) jobs; its ordering check sees only unfinished jobs and
 * finds plan and seq in the index; the per-target counts of done and failed
 * jobs come from the one index finished jobs stay in, pending and running
 * counts from the small indexes. (The target index of 0001 also led SQLite,
 * when a claim named its targets, to sort every pending job of them.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function jobPartialIndexes(db: Kysely<any>): Promise<void> {
  for (const name of ['roster_jobs_runnable', 'roster_jobs_leased', 'roster_jobs_ordering', 'roster_jobs_target']) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
  // Each step may run again (a store rebuilt from its migration record, as the audit-head tests do).
  await sql`create index if not exists roster_jobs_pending on roster_jobs (next_run_at, seq, n) where status = 'pending'`.execute(db);
  await sql`create index if not exists roster_jobs_running on roster_jobs (lease_until, seq, n) where status = 'running'`.execute(db);
  await sql`create index if not exists roster_jobs_unfinished on roster_jobs (ordering_key, plan_id, seq) where status in ('pending', 'running')`.execute(db);
  await sql`create index if not exists roster_jobs_finished on roster_jobs (target, status) where status in ('done', 'failed')`.execute(db);
}

/**
 * SQLite only: the indexes on lower(...) rebuilt with the Unicode lower()
 * every Roster connection now has (see sqlite.ts); entries made by the
 * built-in one (ASCII folding) would not be found by it. Two SCIM resources
 * whose unique names differ only in the case of letters beyond ASCII could be
 * stored before and cannot be now: the migration stops and names them, so
 * an administrator renames one (PostgreSQL never let them in).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function unicodeLowerIndexes(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  // Not through the unique index: its entries are the old lower()'s, and it would find every name distinct.
  const clashes = await sql<{ resource_type: string; names: string }>`
    select resource_type, json_group_array(unique_name) as names from roster_scim_resources not indexed
    group by resource_type, lower(unique_name) having count(*) > 1 limit 20`.execute(db);
  if (clashes.rows.length > 0) {
    const listed = clashes.rows.map((row) => `${row.resource_type}: ${(JSON.parse(row.names) as string[]).map((name) => JSON.stringify(name)).join(', ')}`).join('; ');
    throw new Error(`SCIM names that differ only in letter case are now the same name (Unicode case folding); rename all but one of each and start again: ${listed}`);
  }
  await sql`reindex roster_scim_resources_name`.execute(db);
  await sql`reindex roster_scim_resources_display`.execute(db);
}

/**
 * When Roster recorded that a linked account's person left the target's
 * scope (LinkedAccount.outOfScopeSince), the start of its delete grace.
 * Links stored before have none: for an account already out of scope, the
 * first plan applied after the upgrade records it (policy/lifecycle-rules.ts
 * deletes nothing out of scope without it), so none is deleted sooner than
 * the grace after that.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function outOfScopeSince(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await addTextColumnOnce(db, dialect, 'roster_accounts', 'out_of_scope_since');
}

/**
 * Jobs an operator cancelled (`roster queue cancel`) are counted per target
 * (`roster status`, GET /targets, the stats of QueueStore) from their own
 * small partial index, as pending and running jobs are: without it each
 * count would scan every job ever run. Until now only quarantine code could
 * cancel, and nothing counted them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function jobCancelledIndex(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists roster_jobs_cancelled on roster_jobs (target) where status = 'cancelled'`.execute(db);
}

/**
 * Indexes on identities' start and end dates, so the scheduler's due check
 * every minute (IdentityStore.listIdsDatedIn, engine/due.ts) reads the few
 * people whose dates fall in its spans instead of everyone. Partial (people
 * without the date are not in it: most have no end date) and holding the id,
 * so the check never reads a row. On PostgreSQL in the "C" collation, as the
 * query compares (ISO dates sort byte-wise, whatever the database's locale).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function identityDateIndexes(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const collate = dialect === 'postgres' ? sql` collate "C"` : sql``;
  // Each step may run again (a store rebuilt from its migration record).
  for (const [name, column] of [['roster_identities_start', 'start_at'], ['roster_identities_end', 'end_at']] as const) {
    await sql`create index if not exists ${sql.id(name)} on roster_identities (${sql.id(column)}${collate}, id) where ${sql.id(column)} is not null`.execute(db);
  }
}

/**
 * Links by the target's account id (AccountStore.getByAccountId and
 * listByAccountIds): each orphan change checks that no link holds its
 * account before it disables or deletes it, reconcile re-checks its
 * orphans, and a plan names whose account a reference points at. Without
 * the index each of those read every link of the target (the primary key
 * leads with the target, then the identity).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function accountIdIndex(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists roster_accounts_account on roster_accounts (target, account_id)`.execute(db);
}

/**
 * Jobs back to pending after an attempt, per target (QueueStore.createsUnderWay):
 * each orphan's disable or delete asks which creates may have added an account
 * not yet linked, and without this index walked every pending job (13-22 ms
 * per orphan change with 100,000 pending). Few jobs are in it: only retries.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function jobRetryingIndex(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists roster_jobs_retrying on roster_jobs (target) where status = 'pending' and attempts > 0`.execute(db);
}

/**
 * Keys of identities besides their id: a person rehired under a new key
 * (`fields.previousKey`) keeps their id, and the new key and the former ones
 * name them here (IdentityStore.listKeys). Read by key (a delta's records), by
 * source (a snapshot's, from the index) and by identity (explain). Almost
 * every identity has none: an ingest reads the few there are.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration signature
async function identityKeys(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('roster_identity_keys').ifNotExists()
    .addColumn('key', keyText(dialect), (c) => c.primaryKey())
    .addColumn('identity_id', keyText(dialect), (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('current', 'integer', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create index if not exists roster_identity_keys_source on roster_identity_keys (source_id, key)`.execute(db);
  await sql`create index if not exists roster_identity_keys_identity on roster_identity_keys (identity_id)`.execute(db);
}
