import type { ScimExtensionConfig } from '../scim/resource/types.js';

/**
 * The validated configuration (roster.yaml after loading, schema validation,
 * `${env:NAME}` / `${file:PATH}` substitution, defaults and CEL type checks).
 * The zod schema in schema.ts produces exactly this shape.
 */

export interface RosterConfig {
  /** Absolute path of the file it was loaded from. */
  readonly file: string;
  /** Directory relative paths are resolved against (the file's directory). */
  readonly baseDir: string;
  /** 'sqlite:<path>' (default sqlite:./data/roster.db) or 'postgres://...' */
  readonly store: string;
  readonly server: ServerConfig;
  readonly lifecycle: LifecycleConfig;
  readonly sources: readonly SourceConfig[];
  readonly targets: readonly TargetConfig[];
  readonly roles: readonly RoleConfig[];
  /** Always set by the loader; optional so hand-built configs (tests) may leave it out. */
  readonly scim?: ScimConfig;
  /** The workers' shared settings (top-level `executor:`); always set by the loader, optional like `scim`. */
  readonly executor?: WorkersConfig;
  /**
   * Secrets of a source's or target's `connection:` that could not be
   * resolved when the engine loaded the file (loadConfig with
   * `deferConnectionSecrets`, config/deferred.ts): that connection cannot be
   * opened, and the engine says why when a command needs it. Absent or
   * empty: every secret was resolved.
   */
  readonly missingSecrets?: readonly MissingSecret[];
}

/** The top-level `executor:` section (targets[].executor is per target). */
export interface WorkersConfig {
  /** How long a claimed change is leased before another worker may take it over (default 60). */
  readonly leaseSeconds: number;
}

/** An unresolved `${env:NAME}` / `${file:PATH}` of a connection: names only, never a value. */
export interface MissingSecret {
  readonly owner: { readonly kind: 'source' | 'target'; readonly id: string };
  /** `${env:LDAP_PASSWORD}` */
  readonly reference: string;
  /** `environment variable LDAP_PASSWORD is not set` */
  readonly message: string;
  /** `targets[1].connection.password` */
  readonly path: string;
  /** `/etc/roster/roster.yaml:23:17` */
  readonly at: string;
}

export interface ServerConfig {
  readonly host: string; // default 127.0.0.1
  readonly port: number; // default 8080
  /**
   * Trust a reverse proxy's X-Forwarded-Proto/-Host/-For (true, or only from
   * these addresses or CIDRs), so URLs the server hands out (SCIM
   * `meta.location`, `Location`) name the public host. Default false.
   */
  readonly trustProxy: boolean | readonly string[];
}

export interface LifecycleConfig {
  /** Accounts for a future hire are created this many days before the start (default 7). */
  readonly prehireLeadDays: number;
  /**
   * A future hire's (disabled) accounts hold their roles' entitlements ready
   * for day one (default true); false: least privilege until the start, the
   * grants come in the plan that enables the account on the start day.
   */
  readonly prehireEntitlements?: boolean;
  /** Values of the status field that mean leave of absence (default ["leave", "on leave", "loa"]). */
  readonly leaveStatuses: readonly string[];
  /** Values that mean terminated (default ["terminated", "inactive", "leaver"]). */
  readonly terminatedStatuses: readonly string[];
  /** Values that mean the offer was withdrawn (default ["rescinded", "withdrawn", "cancelled"]). */
  readonly rescindedStatuses: readonly string[];
  /** IANA time zone of dates without a time/zone in HR data, and of cron schedules (default UTC; never the host's zone). */
  readonly timezone: string;
  /**
   * Someone working whose row starts a new employment at most this many days
   * after the current one ends (a contractor becoming an employee, entered
   * ahead of time) keeps working through the change instead of becoming a
   * future hire (default 3).
   */
  readonly conversionGapDays?: number;
}

/** Which columns of a source carry lifecycle meaning. */
export interface SourceFields {
  readonly startDate: string; // default 'startDate'
  readonly endDate: string; // default 'endDate' (termination or contract end)
  readonly status: string; // default 'status'
  readonly employmentType: string; // default 'employmentType'
  readonly manager: string; // default 'managerId'
  /**
   * The column holding the person's former key ("previous employee ID"), no
   * default: a new key whose row names a terminated identity of the source
   * this way continues that identity (a rehire under a new key,
   * lifecycle/continued.ts).
   */
  readonly previousKey?: string;
}

export interface SourceConfig {
  readonly id: string;
  /**
   * csv / json: a file read on schedule; push: records arrive over HTTP only;
   * ldap / ad: a directory read on schedule (docs/directory-sources.md);
   * scim: the Users written to the SCIM server, as they are written and on
   * schedule (docs/scim.md).
   */
  readonly type: 'csv' | 'json' | 'push' | 'ldap' | 'ad' | 'scim';
  readonly path?: string; // absolute after load (csv, json)
  /** The column holding the correlation key (ldap / ad: the directory attribute, e.g. employeeID). */
  readonly key: string;
  readonly schedule?: string; // cron (ldap / ad: an incremental pass)
  /** ldap / ad: where the directory is and which entries are people. Required for ldap / ad, refused otherwise. */
  readonly connection?: DirectorySourceConnection;
  /**
   * ldap / ad: identity attribute name -> directory attribute name
   * (`{ givenName: givenName, familyName: sn, managerId: manager }`); `dn`
   * names the entry's DN. A DN-valued manager is resolved to the manager's key.
   * scim: identity attribute name -> SCIM attribute path
   * (`emails[type eq "work"].value`, alternatives separated by `|`), over the
   * default mapping of src/sources/scim.ts.
   */
  readonly attributes?: Readonly<Record<string, string>>;
  /** ldap / ad: a second cron schedule for full passes (people missing from one are leavers). */
  readonly fullSchedule?: string;
  /** ldap / ad: every Nth scheduled run is a full pass (default 12 without fullSchedule). */
  readonly fullEvery?: number;
  /**
   * ldap: how an incremental pass finds changes: `timestamp` (default:
   * modifyTimestamp / entryCSN; deletions only by full passes) or `syncrepl`
   * (RFC 4533 refreshOnly against OpenLDAP's syncprov, deletions included).
   */
  readonly changes?: 'timestamp' | 'syncrepl';
  /** ad: status given to a disabled account (userAccountControl bit 2); default 'terminated'. scim: status of a User with `active: false`; default 'inactive'. */
  readonly disabledStatus?: string;
  /**
   * ldap / ad: an entry whose key changed (same entryUUID / objectGUID) is
   * the same person under a new key (`follow`, the default:
   * lifecycle/rekeyed.ts), or a leaver and a joiner (`newPerson`).
   */
  readonly keyChanges?: 'follow' | 'newPerson';
  readonly fields: SourceFields;
  /**
   * The `fields` entries written in roster.yaml (the others are defaults).
   * csv / json: a file without the column such an entry names is refused
   * (src/sources/columns.ts); a defaulted column may be absent.
   */
  readonly fieldsGiven?: readonly (keyof SourceFields)[];
  /** CSV delimiter, default ','. */
  readonly delimiter: string;
  /**
   * A file source is a complete snapshot (people missing from it are leavers).
   * Default true for csv/json, false for push.
   */
  readonly complete: boolean;
  /**
   * Refuse to treat people as gone when the snapshot shrank by more than this
   * (count or percent, e.g. "10%"); default "20%".
   */
  readonly maxMissing: Threshold;
}

/** `connection:` of an ldap / ad source. */
export interface DirectorySourceConnection {
  /** ldap://host[:port] or ldaps://host[:port] */
  readonly url: string;
  readonly bindDN: string;
  /** Use ${env:NAME} in roster.yaml: it is never logged. */
  readonly password: string;
  readonly startTLS: boolean; // default false
  /** ca: PEM text or a path relative to the config file. */
  readonly tls?: { readonly ca?: string; readonly rejectUnauthorized: boolean; readonly servername?: string };
  readonly timeoutMs: number; // default 30000
  readonly connectTimeoutMs: number; // default 5000
  readonly pageSize: number; // default 500
  /** Search base (subtree). */
  readonly base: string;
  /** Default (objectClass=inetOrgPerson) for ldap, (&(objectClass=user)(objectCategory=person)) for ad. */
  readonly filter?: string;
}

/** A limit given as a count (5) or a percentage ("5%"). */
export type Threshold = { readonly count: number } | { readonly percent: number };

export interface LeaverRule {
  /** 'immediately' or 'never' (default immediately). */
  readonly disable: 'immediately' | 'never';
  /** Grace before deletion in milliseconds; null = never delete (default 30 days). */
  readonly deleteAfterMs: number | null;
}

export interface SafetyConfig {
  readonly maxDeletes: Threshold; // default "5%"
  readonly maxDisables: Threshold; // default "10%"
  /**
   * Accounts losing at least one entitlement, besides those disabled or
   * deleted in the same plan (default "10%", as maxDisables). The loader
   * always sets it; a config built by hand without it gets the default.
   */
  readonly maxRevokes?: Threshold;
  /**
   * Accounts an `enforce` placement moves back where the target places them
   * (updates with reason `placement.drift`; a mover's move is not counted).
   * Default "10%" (DEFAULT_MAX_MOVES) when not written: the loader leaves it
   * out then.
   */
  readonly maxMoves?: Threshold;
  /**
   * Thresholds are not applied to a target with fewer linked accounts than
   * this (default 10); from there up a percentage allows at least one account.
   */
  readonly minAccounts: number;
  /**
   * Sliding window in milliseconds over which the same limits also judge the
   * plans applied to the target together (planner/safety-window.ts); 0 = off.
   * The loader always sets it (default 1h); a config built by hand without
   * it gets the default.
   */
  readonly windowMs?: number;
}

export interface ExecutorConfig {
  readonly concurrency: number; // default 4
  readonly maxAttempts: number; // default 8
  readonly backoffBaseMs: number; // default 500
  readonly backoffMaxMs: number; // default 300000
  /** Consecutive failed changes after which the target is quarantined (default 20). */
  readonly quarantineAfter: number;
}

export interface TargetConfig {
  readonly id: string;
  readonly type: string; // 'sql' | 'memory' | later 'ldap' | 'ad' | 'scim'
  /** Connector-specific settings, validated by the connector's own zod schema. */
  readonly connection: Readonly<Record<string, unknown>>;
  /** CEL boolean over `identity`: who gets an account here (default true). */
  readonly scope: string;
  /** attribute name -> CEL expression over `identity` (and `account`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The attribute that is the account's natural key in the target (e.g. username). */
  readonly accountKey: string;
  readonly leaver: LeaverRule;
  /** On leave of absence: 'disable' (default) or 'keep'. */
  readonly onLeave: 'disable' | 'keep';
  readonly safety: SafetyConfig;
  readonly executor: ExecutorConfig;
  /** Always set by the loader; optional so hand-built configs (tests) may leave it out. */
  readonly reconcile?: ReconcileConfig;
  /**
   * Attributes whose values are secrets (an initial password): kept only as
   * fingerprints in plans, links and the audit log, and handed to the
   * connector sealed (core/secrets.ts). Optional like `reconcile`.
   */
  readonly secrets?: readonly string[];
}

/** How `roster reconcile` correlates accounts that already exist in the target. */
export interface ReconcileConfig {
  /** Tried in order: account attribute vs identity (HR) attribute. */
  readonly match: readonly {
    readonly account: string;
    readonly identity: string;
    readonly normalise: 'caseInsensitive' | 'exact' | 'numeric';
  }[];
  /** What to do with accounts no identity matches (default report). */
  readonly orphans: 'report' | 'disable' | 'delete';
  /**
   * Cron expression (in lifecycle.timezone) on which `roster serve` reconciles
   * the target, applies the orphan action unless held, then plans and applies.
   */
  readonly schedule?: string;
}

export interface RoleConfig {
  readonly id: string;
  readonly description?: string;
  /** CEL boolean over `identity`: birthright condition. */
  readonly when: string;
  /** target id -> entitlements granted there. */
  readonly grants: Readonly<Record<string, readonly string[]>>;
}

/** `scim:` — the SCIM 2.0 server under /scim/v2 (docs/scim.md). */
export interface ScimConfig {
  readonly server: ScimServerConfig;
}

export interface ScimServerConfig {
  /** Serve /scim/v2 from `roster serve` (default false). */
  readonly enabled: boolean;
  /** The `type: scim` source fed by /scim/v2/Users; default: the only scim source, if there is one. */
  readonly source?: string;
  /** Most resources one list or search response returns (default 1000). */
  readonly maxResults: number;
  /** /Bulk limits (default 1000 operations, 1 MiB). */
  readonly bulk: { readonly maxOperations: number; readonly maxPayloadSize: number };
  /** Per-token token bucket (default 200 requests/s, burst 400). */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  /** Custom extension schemas. */
  readonly extensions: readonly ScimExtensionConfig[];
}
