import { Attribute, Change } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import type { AccountPlacement, Attributes, TargetAccount } from '../../core/types.js';
import type { AccountSpec, Connector, ConnectorCapabilities, ConnectorContext, EnableOptions, EnableReason, EnableResult, Logger, UpdateOptions } from '../types.js';
import { sameDn, templateNames } from '../directory/dn.js';
import { resultCodeOf, ResultCode, toDirectoryError } from '../directory/errors.js';
import { DirectoryGroups } from '../directory/groups.js';
import { AttributeMapping } from '../directory/mapping.js';
import { attributeChanges, toLdapValues } from '../directory/normalise.js';
import { assertOwned } from '../directory/ownership.js';
import type { ClientPool } from '../directory/pool.js';
import { explainAdDiagnostic, isReferenceNotFound, isTransientBindRefusal } from './ad-errors.js';
import type { AdConnectionConfig } from './config.js';
import { defaultNamingContext } from './domain.js';
import { assertNotPrimary, effectiveGroupDns, PrimaryGroups } from './effective.js';
import { AdEntryReader, deleteUser, ownAccount, type AdEntry } from './entries.js';
import { References } from './references.js';
import { AccountExpires } from './account-expires.js';
import { needing } from './access-refused.js';
import { userAccountControl, writeEnabled } from './enable.js';
import { dnInDomain, movedAwayError } from './moved-away.js';
import { PasswordPolicy } from './password.js';
import { AccountNames } from './account-names.js';
import { addUser, type AddUserOptions } from './add-user.js';
import { isEnabled } from './uac.js';
import { isDnTaken, moveUser } from './move-user.js';
import { MemberOfCheck } from './member-of.js';
import { assertAdGroupName } from './group-name.js';

const DN_ATTRIBUTES = new Set(['manager']);
/** Read back without configuration: Roster name -> AD attribute. */
const AD_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries([
  ...['sAMAccountName', 'userPrincipalName', 'displayName', 'givenName', 'sn', 'department', 'title', 'manager', 'employeeID', 'accountExpires'].map((n) => [n, n]),
  ['email', 'mail'],
]);

/**
 * Active Directory users (Samba AD DC speaks the same dialect). The account
 * id is the objectGUID, so renames and moves in AD keep the link. New
 * accounts get a random initial password that must be changed at next logon.
 * Entitlements are the memberships in groups below `groups.base` only: the
 * other groups a user is in (Domain Admins, a VPN group) are not Roster's,
 * so a plan never sees them and never revokes them.
 */
export class AdConnector implements Connector {
  readonly kind = 'ad';
  readonly capabilities: ConnectorCapabilities;
  readonly #pool: ClientPool;
  readonly #config: AdConnectionConfig;
  readonly #targetId: string;
  readonly #mapping: AttributeMapping;
  readonly #references: References;
  readonly #reader: AdEntryReader;
  readonly #primaryGroups: PrimaryGroups;
  readonly #groups: DirectoryGroups | undefined;
  readonly #log: Logger;
  readonly #passwordPolicy: PasswordPolicy;
  readonly #names: AccountNames;
  readonly #expires: AccountExpires;
  readonly #adding: AddUserOptions;
  readonly #memberOf: MemberOfCheck;

  constructor(pool: ClientPool, config: AdConnectionConfig, context: ConnectorContext) {
    this.#pool = pool;
    this.#config = config;
    this.#targetId = context.targetId;
    this.#log = context.log;
    this.#mapping = new AttributeMapping({ ...AD_ATTRIBUTES, ...config.users.attributes }, config.users.key, context.targetId, context.attributes);
    this.#names = new AccountNames(this.#mapping, config.users.upnSuffix, context.attributes, context.targetId);
    this.#passwordPolicy = new PasswordPolicy(pool, config.passwords?.length ?? 24, context.log, context.targetId);
    this.#expires = new AccountExpires(this.#mapping, config.users.timezone ?? context.timezone ?? 'UTC');
    this.#references = new References(pool, this.#mapping, DN_ATTRIBUTES);
    this.#reader = new AdEntryReader(pool, config.base, [...this.#mapping.readAttributes(), 'accountExpires', 'primaryGroupID', 'pwdLastSet'], config.pageSize);
    this.#primaryGroups = new PrimaryGroups(pool);
    this.#memberOf = new MemberOfCheck(pool, config.groups?.base);
    this.#groups = config.groups === undefined ? undefined : new DirectoryGroups({
      base: config.groups.base, objectClass: 'group', names: config.groups.names, create: config.groups.create, placeholder: undefined, pageSize: config.pageSize,
    }, pool);
    this.#adding = {
      pool, reader: this.#reader, config, mapping: this.#mapping, names: this.#names, passwordPolicy: this.#passwordPolicy, log: context.log,
      targetId: context.targetId, ldapValues: (attributes) => this.#ldapValues(attributes), explain: (error, operation) => this.#error(error, operation),
    };
    this.capabilities = { entitlements: this.#groups !== undefined, disable: true, delete: true, ...(context.attributes === undefined ? {} : { readBack: this.#mapping.readBack() }) };
  }

  check(): Promise<void> {
    return this.#run('check', async () => {
      await this.#pool.use((c) => c.search(this.#config.base, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }));
    });
  }

  async *list(): AsyncIterable<TargetAccount> {
    // One lookup per distinct manager in the whole read, not per user, a page's at a time.
    const guids = new Map<string, string | undefined>();
    try {
      for await (const page of this.#reader.all()) {
        await this.#memberOf.assertReadable(page);
        const accounts = await Promise.all(page.map((entry) => this.#account(entry)));
        await this.#references.resolve(accounts, guids);
        for (const account of accounts) yield this.#references.attach(account, guids);
      }
    } catch (error) {
      throw this.#error(error, 'list');
    }
  }

  /**
   * Below the base, else where an administrator moved it in the domain: such an account is not gone (a reconcile
   * pass keeps its link rather than have the next plan create a second account), while writes to it stay refused.
   */
  get(accountId: string): Promise<TargetAccount | undefined> {
    return this.#run('get', async () => {
      const below = await this.#reader.byGuid(accountId);
      const entry = below ?? await this.#movedAway(accountId);
      // Outside the base no placement is told: writes to it are refused until it is moved back (movedAwayError).
      return entry === undefined ? undefined : await this.#read(entry, below !== undefined);
    });
  }

  async #movedAway(accountId: string): Promise<AdEntry | undefined> {
    const dn = await dnInDomain(this.#pool, accountId);
    const entry = dn === undefined ? undefined : await this.#reader.byDn(dn);
    if (entry !== undefined) this.#log.warn('account moved out of the base: kept, writes to it fail until it is moved back', { target: this.#targetId, accountId, dn, base: this.#config.base });
    return entry;
  }

  /**
   * One entry as list gives it: its memberOf checked (member-of.ts), with the `<GUID=…>` form of its references.
   * `added`: the user this create just added, in no group yet: nothing to check (a search saved on every create).
   */
  async #read(entry: AdEntry, located = true, added = false): Promise<TargetAccount> {
    if (!added) await this.#memberOf.assertReadable([entry]);
    const account = await this.#account(entry, located);
    const guids = new Map<string, string | undefined>();
    await this.#references.resolve([account], guids);
    return this.#references.attach(account, guids);
  }

  create(spec: AccountSpec): Promise<TargetAccount> {
    return this.#run('create', async () => {
      const key = toLdapValues(spec.attributes[this.#mapping.keyAttribute])[0];
      if (key === undefined) throw new RosterError('target.rejected', `create on ${this.#targetId}: attribute ${this.#mapping.keyAttribute} (the account key) is missing`);
      const sam = this.#names.sam(spec.attributes);
      this.#names.checkSam(sam, 'create');
      let entry = await this.#reader.byAttribute(this.#mapping.keyLdap, key);
      if (entry === undefined) {
        const added = await addUser(this.#adding, spec, key, sam);
        if (added !== undefined) return await this.#read(added, true, true);
        entry = await this.#reader.byAttribute(this.#mapping.keyLdap, key);
        if (entry === undefined) throw new RosterError('target.rejected', `create on ${this.#targetId}: ${key} was not stored`);
      }
      await assertOwned(this.#pool, { targetId: this.#targetId, dn: entry.dn, key: { attribute: this.#mapping.keyLdap, value: key }, wanted: this.#ldapValues(spec.attributes) });
      await this.#update(entry, spec.attributes, 'create');
      await this.#setEnabled(entry.guid, spec.enabled);
      return await this.#read(await this.#entry(entry.guid, 'create'));
    });
  }

  /** `options.place`: the plan moves it back where users.dn places it (placement drift), whatever `attributes` write. */
  update(accountId: string, attributes: Attributes, _previous?: Attributes, options?: UpdateOptions): Promise<void> {
    return this.#run('update', async () => this.#update(await this.#entry(accountId, 'update'), attributes, 'update', options?.place === true));
  }

  /**
   * Where a user as read (its `location`, told with users.placement: enforce) belongs when it is elsewhere:
   * users.dn rendered from the values read. AD compares DNs without case (OU=Sales is ou=sales) and AD's own
   * escaping is the same DN. No `byState`: a disable writes userAccountControl and moves nothing. Undefined
   * when in place, with `keep`, or when the values the template needs are missing.
   */
  placement(account: TargetAccount, _recorded: Attributes): AccountPlacement | undefined {
    if (this.#config.users.placement !== 'enforce' || account.location === undefined) return undefined;
    let belongs: string;
    try {
      belongs = this.#mapping.renderDn(this.#config.users.dn, account.attributes, undefined, 'reconcile');
    } catch {
      return undefined;
    }
    return sameDn(belongs, account.location) ? undefined : { at: account.location, belongs };
  }

  /**
   * A rehire's account an administrator moved elsewhere below the base while it was disabled (a "Disabled
   * Users" OU) goes back first where `users.dn` places it (from `attributes`, its link's), as a joiner's would.
   */
  setEnabled(accountId: string, enabled: boolean, attributes?: Attributes, options?: EnableOptions): Promise<EnableResult> {
    return this.#run('setEnabled', async () => {
      // Not an account in use whose credentials are renewed (options.renew): where an administrator put it, it stays.
      if (enabled && options?.reason === 'rehire' && options.renew !== true && attributes !== undefined) {
        const entry = await this.#entry(accountId, 'setEnabled');
        // A template the link and the entry cannot fill leaves it where it is: the enable is what matters.
        const placed = (() => { try { return this.#mapping.renderDn(this.#config.users.dn, attributes, entry.values, 'setEnabled'); } catch { return undefined; } })();
        if (placed !== undefined && !sameDn(placed, entry.dn)) {
          try {
            await this.#move(entry, placed);
          } catch (error) {
            // Another object took the name meanwhile: the person is not kept out of their account for where it sits.
            if (!isDnTaken(error)) throw error;
            this.#log.warn('rehire: another object holds the name where users.dn places the account; enabled where it is', { target: this.#targetId, dn: entry.dn, placed });
          }
        }
      }
      return this.#setEnabled(accountId, enabled, options?.reason, options?.renew === true);
    });
  }

  delete(accountId: string): Promise<void> {
    return this.#run('delete', async () => {
      const entry = await this.#reader.byGuid(accountId);
      if (entry === undefined) return this.#assertGone(accountId, 'delete');
      // AD removes the user from its groups itself (member is a linked attribute).
      await deleteUser(this.#pool, entry.dn, this.#targetId);
    });
  }

  grant(accountId: string, entitlement: string): Promise<void> {
    return this.#run('grant', async () => {
      const entry = await this.#entry(accountId, 'grant');
      const groups = this.#requireGroups('grant');
      assertAdGroupName(groups.groupDn(entitlement), entitlement, `grant on ${this.#targetId}`);
      await needing(this.#targetId, 'grant', this.#members(groups, entitlement, `add ${entry.dn} to its members`),
        () => groups.add({ dn: entry.dn, uid: undefined }, entitlement));
    });
  }

  revoke(accountId: string, entitlement: string): Promise<void> {
    return this.#run('revoke', async () => {
      const groups = this.#requireGroups('revoke');
      const entry = await this.#reader.byGuid(accountId);
      if (entry === undefined) return this.#assertGone(accountId, 'revoke');
      assertNotPrimary(`revoke on ${this.#targetId}`, entitlement, entry.dn, () => groups.groupDn(entitlement), await this.#primaryGroups.of(entry.values));
      await needing(this.#targetId, 'revoke', this.#members(groups, entitlement, `take ${entry.dn} out of its members`),
        () => groups.remove({ dn: entry.dn, uid: undefined }, entitlement));
    });
  }

  /**
   * Every group the account is in, directly or through nested groups (the
   * in-chain matching rule), and through its primary group (Domain Users and
   * what that is nested in), in the whole domain: a group Roster manages that
   * was made a member of Domain Admins is exactly the access `roster explain`
   * must show. Groups Roster manages are named as their entitlements, any
   * other by its DN. Entitlements (get) stay the direct, managed memberships.
   */
  effectiveEntitlements(accountId: string): Promise<string[]> {
    return this.#run('effectiveEntitlements', async () => {
      const entry = await this.#entry(accountId, 'effectiveEntitlements');
      const base = await defaultNamingContext(this.#pool) ?? this.#config.groups?.base ?? this.#config.base;
      const groups = this.#groups;
      const dns = await effectiveGroupDns(this.#pool, base, entry.dn, await this.#primaryGroups.of(entry.values));
      return dns.map((dn) => (groups !== undefined && groups.manages(dn) ? groups.entitlement(dn) : dn)).sort();
    });
  }

  /** The right a grant or revoke needs on the group. */
  #members(groups: DirectoryGroups, entitlement: string, action: string): { dn: string; action: string; right: string } {
    let dn = entitlement;
    try {
      dn = groups.groupDn(entitlement);
    } catch {
      // Not a group Roster manages: the grant itself says so (a revoke is a no-op).
    }
    return { dn, action, right: '"Write Members" (Write member)' };
  }

  ownAccountId = (): Promise<string | undefined> => ownAccount(this.#reader, this.#config.bindDN);
  close = (): Promise<void> => this.#pool.close();

  // ------------------------------------------------------------ writes

  /** `place`: moved where users.dn places it even when no value the template takes changes (placement drift). */
  async #update(entry: AdEntry, attributes: Attributes, operation: string, place = false): Promise<void> {
    this.#names.checkSam(this.#names.sam(attributes), operation);
    let current = entry;
    // Without `place`, an update that writes no value the DN takes leaves a user moved by hand where it is (placement: keep).
    if (place || templateNames(this.#config.users.dn).some((name) => Object.hasOwn(attributes, name))) {
      const target = this.#mapping.renderDn(this.#config.users.dn, attributes, current.values, operation);
      if (!sameDn(target, current.dn)) current = await this.#move(current, target, place);
    }
    const desired = this.#ldapValues(attributes);
    const upn = this.#names.derivedUpn(current, attributes);
    if (upn !== undefined) desired.set('userPrincipalName', [upn]);
    // Each attribute's current values under the name asked for or the one the server answers with.
    const changes = attributeChanges(this.#mapping.heldValues(current.values, desired.keys()), desired, DN_ATTRIBUTES);
    if (changes.length === 0) return;
    const written = changes.map((change) => change.attribute);
    const needed = { dn: current.dn, action: `write ${written.join(', ')}`, right: `${written.map((a) => `"Write ${a}"`).join(', ')} (Write property)` };
    await needing(this.#targetId, operation, needed, () => this.#pool.use((c) => c.modify(current.dn, changes.map((change) => new Change({
      operation: 'replace', modification: new Attribute({ type: change.attribute, values: [...change.values] }),
    })))));
  }

  /** `placing`: the move puts right a placement drift (a name taken there may call for users.placement: keep). */
  async #move(entry: AdEntry, newDn: string, placing = false): Promise<AdEntry> {
    const hint = placing ? `the account was moved to ${entry.dn} by hand: if that is where it should stay, set users.placement: keep` : undefined;
    await moveUser({ pool: this.#pool, targetId: this.#targetId, base: this.#config.base, createOUs: this.#config.users.createOUs, reader: this.#reader }, entry, newDn, hint);
    return this.#entry(entry.guid, 'update');
  }

  /** See enable.ts writeEnabled: a rehire's enable (`reason`) sets a new initial password in the same modify (its refusal: enable-refused.ts). */
  async #setEnabled(accountId: string, enabled: boolean, reason?: EnableReason, renew = false): Promise<EnableResult> {
    const entry = await this.#entry(accountId, 'setEnabled');
    const needed = { dn: entry.dn, action: enabled ? 'enable it' : 'disable it', right: '"Write userAccountControl"' };
    return needing(this.#targetId, 'setEnabled', needed, () => writeEnabled({
      pool: this.#pool, policy: this.#passwordPolicy, log: this.#log, targetId: this.#targetId, entry, enabled,
      passwordOnEnable: this.#config.users.passwordOnEnable, reason, renew,
    }));
  }

  // ------------------------------------------------------------ mapping

  /** accountExpires is kept as a FILETIME: another spelling of the same instant (or of "never") is the same value. */
  sameValue(attribute: string, written: unknown, held: unknown): boolean {
    return this.#expires.sameValue(attribute, written, held);
  }

  /** Roster attributes -> AD values; accountExpires becomes a FILETIME. */
  #ldapValues(attributes: Attributes): Map<string, string[]> {
    return this.#expires.toLdap(attributes);
  }

  /**
   * Its entitlements include its primary group when Roster manages that group: AD keeps it out of memberOf.
   * `located`: found below the base, so its DN is told (`location`) for placement drift, with users.placement: enforce.
   */
  async #account(entry: AdEntry, located = true): Promise<TargetAccount> {
    const attributes = this.#mapping.fromEntry(entry.values);
    // Under every Roster name that maps to accountExpires (endDate: accountExpires), not only its own.
    this.#expires.read(attributes, entry.values);
    const primary = this.#groups === undefined ? undefined : await this.#primaryGroups.of(entry.values);
    const memberOf = entry.values.get('memberof') ?? [];
    const entitlements = this.#groups?.entitlementsOf(primary === undefined ? memberOf : [...memberOf, primary]) ?? [];
    const location = located && this.#config.users.placement === 'enforce' ? { location: entry.dn } : {};
    return { accountId: entry.guid, attributes, entitlements, enabled: isEnabled(userAccountControl(entry)), ...location };
  }

  async #entry(accountId: string, operation: string): Promise<AdEntry> {
    const entry = await this.#reader.byGuid(accountId);
    if (entry !== undefined) return entry;
    await this.#assertGone(accountId, operation);
    throw new RosterError('target.not_found', `${operation} on ${this.#targetId}: no account ${accountId}`);
  }

  /** Not below the base: refused when an administrator only moved it elsewhere in the domain. */
  async #assertGone(accountId: string, operation: string): Promise<void> {
    const dn = await dnInDomain(this.#pool, accountId);
    if (dn !== undefined) throw movedAwayError(this.#targetId, operation, accountId, dn, this.#config.base);
  }

  #requireGroups(operation: string): DirectoryGroups {
    if (this.#groups === undefined) throw new RosterError('target.rejected', `${operation} on ${this.#targetId}: no groups are configured (connection.groups)`);
    return this.#groups;
  }

  #error(error: unknown, operation: string): RosterError {
    const converted = toDirectoryError(error, this.#targetId, operation, explainAdDiagnostic);
    // A DN-valued attribute (manager) naming an object that does not exist yet: in one plan the
    // manager may be created after the report, so this is worth retrying (with the executor's backoff).
    // A bind refused for a while (outside the logon hours, locked out) ends by itself.
    if (!converted.retryable && (isReferenceNotFound(converted.message) || (resultCodeOf(error) === ResultCode.invalidCredentials && isTransientBindRefusal(converted.message)))) {
      return new RosterError(converted.code, converted.message, { retryable: true, cause: error, details: converted.details });
    }
    return converted;
  }

  async #run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw this.#error(error, operation);
    }
  }
}

