import type { ColumnType, Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. JSON-valued columns are text in both
 * dialects so values round-trip byte for byte; dates are ISO-8601 text (they
 * sort as text); booleans are 0/1 integers. PostgreSQL returns bigint as a
 * string, hence `number | string` where a column is bigint.
 */
export type BigIntColumn = number | string;

export interface IdentityRow {
  id: string;
  source_id: string;
  attributes: string;
  state: string;
  start_at: string | null;
  end_at: string | null;
  missing_since: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  /** Identity.sourceEntry (migration 0016). */
  source_entry: string | null;
  /** Identity.rehiredAt (migration 0018). */
  rehired_at: string | null;
}

/** A key of an identity besides its id (core/types.ts IdentityKey); current is 0/1. */
export interface IdentityKeyRow {
  key: string;
  identity_id: string;
  source_id: string;
  current: number;
  recorded_at: string;
}

export interface EventRow {
  n: Generated<BigIntColumn>;
  identity_id: string;
  kind: string;
  effective_at: string;
  recorded_at: string;
  changes: string | null;
  reasons: string;
}

export interface AccountRow {
  target: string;
  identity_id: string;
  account_id: string;
  attributes: string;
  entitlements: string;
  enabled: number;
  created_at: string;
  updated_at: string;
  disabled_at: string | null;
  /** Added by 0008_out_of_scope_since. */
  out_of_scope_since: string | null;
  /** Added by 0014_not_granted: LinkedAccount.notGranted as a JSON array, NULL when none. */
  not_granted: string | null;
  /** Added by 0017_account_placement: LinkedAccount.placement as JSON, NULL when the account is in place (or not told). */
  placement: string | null;
  /** Added by 0019_account_credentials_set_at: LinkedAccount.credentialsSetAt (the upgrade's time on links stored before). */
  credentials_set_at: string | null;
}

export interface PlanRow {
  n: Generated<BigIntColumn>;
  id: string;
  created_at: string;
  basis: BigIntColumn;
  held: number;
  summary: string;
  holds: string;
  diagnostics: string;
  changes: string;
  change_count: number;
  /** Plan.withdrawn as JSON; null when none (migration 0020). */
  withdrawn: string | null;
}

export interface PlanChangesRow {
  plan_id: string;
  chunk: number;
  /** Deflated JSON (see plan-changes.ts). */
  body: Uint8Array;
}

export interface JobRow {
  n: Generated<BigIntColumn>;
  id: string;
  plan_id: string;
  target: string;
  ordering_key: string;
  seq: number;
  change: string;
  status: string;
  attempts: number;
  next_run_at: string;
  lease_until: string | null;
  worker_id: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditRow {
  seq: BigIntColumn;
  at: string;
  kind: string;
  actor: string;
  identity: string | null;
  target: string | null;
  reasons: string | null;
  before: string | null;
  after: string | null;
  data: string | null;
  prev_hash: string;
  hash: string;
}

export interface TokenRow {
  id: string;
  name: string;
  scopes: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface StateRow {
  key: string;
  value: string;
}

export interface CounterRow {
  name: string;
  value: BigIntColumn;
}

/** A SCIM resource (see scim.ts). */
export interface ScimResourceRow {
  resource_type: string;
  id: string;
  /** Written as JSON text; read back as text on SQLite, as the parsed value on PostgreSQL (jsonb). */
  data: ColumnType<unknown, string, string>;
  /** userName / displayName: unique per resource type under lower(). */
  unique_name: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Database {
  roster_identities: IdentityRow;
  roster_identity_keys: IdentityKeyRow;
  roster_events: EventRow;
  roster_accounts: AccountRow;
  roster_plans: PlanRow;
  roster_plan_changes: PlanChangesRow;
  roster_jobs: JobRow;
  roster_audit: AuditRow;
  roster_tokens: TokenRow;
  roster_state: StateRow;
  roster_counters: CounterRow;
  roster_scim_resources: ScimResourceRow;
  roster_scim_members: ScimMemberRow;
}

/** One member of one SCIM Group (see scim.ts); a member is a User or a Group. */
export interface ScimMemberRow {
  group_id: string;
  member_id: string;
}
