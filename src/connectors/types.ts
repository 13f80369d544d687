import type { AccountPlacement, Attributes, TargetAccount } from '../core/types.js';

/**
 * A connector translates changes into one target system's protocol and reads
 * the target's actual accounts. It holds no policy. Every write is idempotent:
 * creating an account that already exists with the same natural key returns
 * it, deleting an absent account succeeds, granting a held entitlement is a
 * no-op. That is what lets the executor retry after a crash without
 * duplicating anything.
 *
 * Failures are RosterErrors: 'target.unavailable' / 'target.rate_limited'
 * (retryable, with retryAfterMs when the target said so), 'target.rejected'
 * (not retryable: the target refused the data), 'target.not_found'.
 */
export interface Connector {
  readonly kind: string;
  readonly capabilities: ConnectorCapabilities;
  /** Test the connection and credentials; throws a RosterError when it cannot work. */
  check(): Promise<void>;
  /** Every account in the target (paged internally). */
  list(): AsyncIterable<TargetAccount>;
  get(accountId: string): Promise<TargetAccount | undefined>;
  /**
   * Create the account (attributes include the natural key) and return its
   * stable id. If one with the same natural key exists, return it instead of
   * failing (idempotence), after bringing its attributes and `enabled` in line.
   * Directory connectors adopt such an entry only when it provably belongs to
   * this person (its employee id matches, see directory/ownership.ts) and
   * otherwise fail with a non-retryable 'target.conflict': an unlinked
   * account with the same name may be a departed person's.
   */
  create(spec: AccountSpec): Promise<TargetAccount>;
  /**
   * Set the given attributes (a null value clears one). `previous`, when the
   * caller knows it, is the account's attributes as Roster last recorded them
   * (its link), for reading only: a connector whose earlier attempt at this
   * update renamed the account part way (possibly in another process) can
   * tell from it what the account was called, and finish the rename.
   */
  update(accountId: string, attributes: Attributes, previous?: Attributes, options?: UpdateOptions): Promise<void>;
  /**
   * `attributes`: the account's as Roster last recorded them (its link), for a connector whose enable puts the
   * account back where they place it (the ldap connector's disable by move, an explicit `dn`). `options.reason`:
   * why an account is enabled, for a connector that sets a new password then (see EnableReason); it says in its
   * answer when it did, so the audit entry can.
   */
  setEnabled(accountId: string, enabled: boolean, attributes?: Attributes, options?: EnableOptions): Promise<EnableResult | void>;
  delete(accountId: string): Promise<void>;
  grant(accountId: string, entitlement: string): Promise<void>;
  revoke(accountId: string, entitlement: string): Promise<void>;
  /**
   * Optional, for targets whose groups nest (Active Directory): every
   * entitlement the account holds, directly or through groups that are
   * members of other groups. Plans work with the direct ones (`get`); this
   * answers `roster explain`'s "what does this person really get".
   */
  effectiveEntitlements?(accountId: string): Promise<string[]>;
  /**
   * Optional: whether a value read back (`held`) stands for the value Roster
   * wrote (`written`) though the text differs, because the target stores the
   * attribute in another form (AD keeps accountExpires as a FILETIME, so
   * "2027-01-01T00:00:00Z" reads back as the day "2026-12-31"). Reconcile then
   * keeps what Roster wrote, and the next plan does not write it again.
   */
  sameValue?(attribute: string, written: unknown, held: unknown): boolean;
  /**
   * Optional: the id of the account the connector binds as, when it is an
   * account the target could list (a service account kept among the people),
   * so reconcile never acts on it as an orphan; undefined when it cannot tell.
   */
  ownAccountId?(): Promise<string | undefined>;
  /**
   * Optional, for a target whose accounts sit somewhere its configuration
   * decides (a directory entry's DN) and that is told to keep them there
   * (the ldap and ad targets' `users.placement: enforce`): where an account as read (with its
   * `location`) belongs, when that is not where it is; undefined when it is
   * in place, or cannot be told. `recorded`: the link's attributes (an
   * explicit `dn` Roster wrote). Pure: no I/O. Reconcile records the answer
   * in the link, and the plan moves the account back (UpdateOptions.place).
   */
  placement?(account: TargetAccount, recorded: Attributes): AccountPlacement | undefined;
  close(): Promise<void>;
}

export interface UpdateOptions {
  /**
   * Put the account where the target's configuration places it (the plan
   * said so: placement drift), with `attributes` written too, if any; an
   * explicit `dn` not among `attributes` is taken from `previous`.
   */
  readonly place?: boolean;
}

/**
 * Why an account is enabled, from the enable change's reasons (executor/apply-change.ts enableReason):
 * - `joiner`: a new hire's account, made disabled before the start, enabled on the first day;
 * - `rehire`: an account a leaver's disable left, back for a new employment (within the delete grace);
 * - `return`: an account in use back after any other disable: the end of a leave, back in scope, a
 *   termination undone (the enable does not tell which disable it ends).
 * A connector that sets passwords gives a rehire's account a new initial one in the same write (the
 * password of the former employment must not come back), and a `return` when its configuration says so
 * (ad: `users.passwordOnEnable`).
 */
export type EnableReason = 'joiner' | 'rehire' | 'return';

export interface EnableOptions {
  readonly reason?: EnableReason;
  /**
   * The account was enabled when the enable was planned: a rehire read in one pass, whose credentials are the
   * former employment's (policy/rehire-credentials.ts). A connector that sets passwords sets one all the same,
   * found enabled or not (ad: otherwise an enable that finds the account enabled writes nothing).
   */
  readonly renew?: boolean;
  /**
   * The account's secret attributes (TargetConfig.secrets) as its mapping gives them now, opened (never
   * fingerprints): a connector that writes passwords itself (ldap: `userPassword` through a mapped secret)
   * writes these in the same operation as an enable that sets a new password (a rehire's).
   */
  readonly secrets?: Attributes;
}

/** What an enable did beyond enabling: `newPassword` when it set a new initial password (never the password itself). */
export interface EnableResult {
  /** A new password was set (AD's random initial one, or the mapped secret): the audit records `newPassword: true`. */
  readonly newPassword?: boolean;
  /**
   * The secret attributes handed in (EnableOptions.secrets) were written as
   * given: the link takes their fingerprints. Not set by a connector that
   * set a password of its own instead (AD).
   */
  readonly secretsWritten?: boolean;
}

export interface AccountSpec {
  readonly attributes: Attributes;
  readonly enabled: boolean;
}

export interface ConnectorCapabilities {
  readonly entitlements: boolean;
  readonly disable: boolean;
  readonly delete: boolean;
  /**
   * The Roster attributes an account read (get, list) reports whenever the
   * target holds them: one of these missing from a read is not there (cleared
   * by hand), so reconcile drops it from the link and the next plan writes it
   * again. Attributes not listed (write-only ones such as passwords) keep
   * what Roster wrote.
   */
  readonly readBack?: ReadonlySet<string>;
}

/** Each connector folder exports one factory: its zod-validated config in, a Connector out. */
export interface ConnectorFactory<C = unknown> {
  readonly kind: string;
  create(config: C, context: ConnectorContext): Connector;
}

export interface ConnectorContext {
  readonly targetId: string;
  /** Directory relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly log: Logger;
  /** The Roster attributes the target's mappings write (its `attributes:` keys), for connectors that read them back. */
  readonly attributes?: readonly string[];
  /** The lifecycle's time zone (lifecycle.timezone): where a date alone (an HR end date) ends, for connectors that write it as an instant. */
  readonly timezone?: string;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
