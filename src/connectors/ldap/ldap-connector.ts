import { RosterError } from '../../core/errors.js';
import type { AccountPlacement, Attributes, TargetAccount } from '../../core/types.js';
import type { AccountSpec, Connector, ConnectorCapabilities, ConnectorContext, EnableOptions, EnableResult, UpdateOptions } from '../types.js';
import { identicalDn, sameDn } from '../directory/dn.js';
import { toDirectoryError } from '../directory/errors.js';
import { DirectoryGroups, type Member } from '../directory/groups.js';
import { attributeChanges, toLdapValues } from '../directory/normalise.js';
import { MatchingRules } from '../directory/matching.js';
import { assertOwned } from '../directory/ownership.js';
import { ownEntryId, type ClientPool } from '../directory/pool.js';
import type { LdapConnectionConfig } from './config.js';
import { EntryReader, type LdapEntry } from './entries.js';
import { AttributeMapping } from '../directory/mapping.js';
import { inOu, isEntryEnabled, keyDeterminesDn } from './new-entry.js';
import { EntryAdder } from './add-entry.js';
import { EntryMover } from './modify-dn.js';
import { RenameCarries } from './rename-carries.js';
import { readAttributeSchema } from '../directory/schema.js';
import { enabledPasswords, enablePasswords, passwordsResult } from './enable.js';
import { enableByMove } from './enable-move.js';
import { disabledRemainder, modifyUpdated, removePassword, removesPassword, withheldPassword, writeMarker } from './disable-password.js';
import { newPasswordOnEnable } from '../directory/password-on-enable.js';
import { UidNumberAllocator } from './posix.js';
import { isPosixAccount, PosixConversion } from './posix-convert.js';
import { Placement, uidIn } from './placement.js';
import { deleteAccountTree } from './delete-tree.js';

/**
 * An LDAPv3 directory (OpenLDAP and the like). The account id is the entry's
 * entryUUID, so renames and moves keep the link. Filters and DNs are built
 * only through the escaping helpers.
 */
export class LdapConnector implements Connector {
  readonly kind = 'ldap';
  readonly capabilities: ConnectorCapabilities;
  readonly #pool: ClientPool;
  readonly #config: LdapConnectionConfig;
  readonly #users: LdapConnectionConfig['users'];
  readonly #targetId: string;
  readonly #log: ConnectorContext['log'];
  readonly #mapping: AttributeMapping;
  readonly #reader: EntryReader;
  readonly #groups: DirectoryGroups | undefined;
  readonly #uidNumbers: UidNumberAllocator | undefined;
  readonly #mover: EntryMover;
  /** The key alone names an entry (and disabled entries do not move): a create may add before it searches. */
  readonly #keyNamesEntry: boolean;
  #aliases: Promise<void> | undefined;
  /** Each attribute's EQUALITY rule (the server's, once read): which values are one value to the directory. */
  readonly #rules = new MatchingRules();
  readonly #carries: RenameCarries;
  readonly #placement: Placement;
  readonly #adder: EntryAdder;
  /** Makes entries made before users.posix was configured posixAccounts, when Roster next writes them. */
  readonly #posix: PosixConversion | undefined;

  constructor(pool: ClientPool, config: LdapConnectionConfig, context: ConnectorContext) {
    this.#pool = pool;
    this.#config = config;
    this.#users = config.users;
    this.#targetId = context.targetId;
    this.#log = context.log;
    this.#mapping = new AttributeMapping(config.users.attributes, config.users.key, context.targetId, context.attributes);
    this.#mapping.useDistinct((attribute, values) => this.#rules.distinct(attribute, values));
    const disable = config.disable;
    const read = [...this.#mapping.readAttributes(), 'uid', ...(disable !== undefined && disable.strategy !== 'move' ? [disable.attribute] : []), ...(config.users.posix === undefined ? [] : ['objectClass', 'uidNumber', 'modifyTimestamp'])];
    const bases = [config.users.base, ...(disable?.strategy === 'move' ? [disable.ou] : [])];
    // Every account below the bases, posixAccount or not: entries made before users.posix was set stay Roster's to find (and adopt).
    this.#reader = new EntryReader(pool, bases, config.users.objectClasses, read, config.pageSize);
    // The uidNumber counter is never an account, wherever it sits and whatever its classes (EntryReader.notAnAccount).
    if (config.users.posix?.counter !== undefined) this.#reader.notAnAccount(config.users.posix.counter.dn);
    this.#groups = config.groups === undefined ? undefined : new DirectoryGroups({
      base: config.groups.base, objectClass: config.groups.objectClass, names: config.groups.names,
      create: config.groups.create, placeholder: config.groups.placeholder, pageSize: config.pageSize,
    }, pool);
    const posix = config.users.posix;
    this.#uidNumbers = posix === undefined ? undefined : new UidNumberAllocator(pool, this.#reader.bases, posix.uidNumber, posix.counter);
    this.#posix = posix === undefined || this.#uidNumbers === undefined ? undefined : new PosixConversion({ pool, reader: this.#reader, users: config.users, posix, uidNumbers: this.#uidNumbers, mapping: this.#mapping });
    this.#placement = new Placement({ users: config.users, disable, mapping: this.#mapping, targetId: context.targetId });
    this.#adder = new EntryAdder({
      pool, reader: this.#reader, users: config.users, disable, mapping: this.#mapping, placement: this.#placement, uidNumbers: this.#uidNumbers,
      targetId: context.targetId, byKey: (key, operation) => this.#byKey(key, operation),
    });
    this.#mover = new EntryMover({ pool, reader: this.#reader, keyLdap: this.#mapping.keyLdap, users: config.users, targetId: context.targetId });
    this.#carries = new RenameCarries({ groups: this.#groups, reader: this.#reader, targetId: context.targetId, member: (entry) => this.#member(entry) });
    this.#keyNamesEntry = disable?.strategy !== 'move' && keyDeterminesDn(config.users.dn, this.#mapping.keyAttribute);
    this.capabilities = { entitlements: this.#groups !== undefined, disable: disable !== undefined, delete: true, ...(context.attributes === undefined ? {} : { readBack: this.#mapping.readBack() }) };
  }

  check(): Promise<void> {
    return this.#run('check', async () => {
      await this.#pool.use((c) => c.search(this.#users.base, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }));
    });
  }

  async *list(): AsyncIterable<TargetAccount> {
    await this.#run('list', () => this.#serverAliases());
    const memberships = this.#groups === undefined ? new Map<string, string[]>() : await this.#run('list', () => this.#groups?.all() ?? Promise.resolve(new Map<string, string[]>()));
    try {
      for await (const page of this.#reader.all()) {
        for (const entry of page) yield this.#account(entry, this.#entitlementsFrom(memberships, entry));
      }
    } catch (error) {
      throw toDirectoryError(error, this.#targetId, 'list');
    }
  }

  get(accountId: string): Promise<TargetAccount | undefined> {
    return this.#run('get', async () => {
      await this.#serverAliases();
      const entry = await this.#reader.byUuid(accountId);
      return entry === undefined ? undefined : this.#account(entry, await this.#entitlementsOf(entry));
    });
  }

  create(spec: AccountSpec): Promise<TargetAccount> {
    return this.#run('create', async () => {
      // Several values to one attribute are written once each under the server's EQUALITY rules: read them first (once).
      if (Object.values(spec.attributes).some((value) => Array.isArray(value) && value.length > 1)) await this.#serverAliases();
      const key = toLdapValues(spec.attributes[this.#mapping.keyAttribute])[0];
      if (key === undefined) throw new RosterError('target.rejected', `create on ${this.#targetId}: attribute ${this.#mapping.keyAttribute} (the account key) is missing`);
      // Where the key alone names the entry, add first (one round trip); otherwise look the key up first.
      let entry = this.#addFirst(spec) ? undefined : await this.#byKey(key, 'create');
      if (entry === undefined) {
        const outcome = await this.#adder.add(spec, key);
        if ('added' in outcome) return this.#account(outcome.added, []);
        entry = outcome.existing;
      }
      // It exists (made earlier, or by a concurrent create): bring it in line, if it is provably this person's; a posixAccount's uidNumber settled as an add's is (settleAdopted).
      await assertOwned(this.#pool, { targetId: this.#targetId, dn: entry.dn, key: { attribute: this.#mapping.keyLdap, value: key }, wanted: this.#mapping.toLdap(spec.attributes) });
      if (isPosixAccount(entry)) await this.#uidNumbers?.settleAdopted(entry);
      await this.#update(entry, spec.attributes);
      if (this.capabilities.disable) await this.#setEnabled(entry.uuid, spec.enabled, spec.attributes);
      return this.#required(entry.uuid, 'create');
    });
  }

  update(accountId: string, attributes: Attributes, previous?: Attributes, options?: UpdateOptions): Promise<void> {
    return this.#run('update', async () => {
      await this.#serverAliases();
      const entry = await this.#entry(accountId, 'update');
      // A disabled entry whose password the disable took gets none from an update (disable.password: remove).
      const kept = await withheldPassword({ pool: this.#pool, mapping: this.#mapping, disable: this.#config.disable, log: this.#log, targetId: this.#targetId }, entry, attributes, previous);
      await this.#update(entry, kept, previous, options?.place === true);
    });
  }

  /**
   * Where an entry as read belongs when it is elsewhere (users.placement: enforce; Placement.misplaced), from its
   * DN (`location`) and the values read; `recorded` gives an explicit `dn`. Undefined with `keep`.
   */
  placement(account: TargetAccount, recorded: Attributes): AccountPlacement | undefined {
    if (this.#users.placement !== 'enforce' || account.location === undefined) return undefined;
    let values: Map<string, readonly string[]>;
    try {
      values = new Map([...this.#mapping.toLdap(account.attributes)].map(([name, held]) => [name.toLowerCase(), held]));
    } catch {
      return undefined;
    }
    return this.#placement.misplaced({ dn: account.location, uuid: account.accountId, values }, recorded);
  }

  setEnabled(accountId: string, enabled: boolean, attributes?: Attributes, options?: EnableOptions): Promise<EnableResult> {
    return this.#run('setEnabled', async () => {
      const result = await this.#setEnabled(accountId, enabled, attributes, options, !enabled && removesPassword(this.#config.disable));
      // An enable brings the account in line: one made before users.posix was configured becomes a posixAccount (one read when it is one).
      if (enabled) await this.#posix?.ensure(accountId);
      return result;
    });
  }

  /** A value read back stands for the one written when they are the same values under the attribute's EQUALITY rule (Connector.sameValue). */
  sameValue(attribute: string, written: unknown, held: unknown): boolean {
    try {
      return attribute !== 'dn' && this.#rules.sameRosterValue(this.#mapping.ldapName(attribute), written, held);
    } catch {
      return false;
    }
  }

  delete(accountId: string): Promise<void> {
    return this.#run('delete', async () => {
      const entry = await this.#reader.byUuid(accountId);
      if (entry === undefined) return;
      await this.#carries.settle(entry);
      // Leave no dangling member values (refint cannot remove the last member of a groupOfNames); entries below it go with it.
      await this.#stripGroups(entry);
      await deleteAccountTree(this.#pool, { targetId: this.#targetId, dn: entry.dn, uuid: entry.uuid, objectClasses: this.#config.users.objectClasses, pageSize: this.#config.pageSize });
    });
  }

  grant(accountId: string, entitlement: string): Promise<void> {
    return this.#run('grant', async () => {
      const groups = this.#requireGroups('grant');
      const entry = await this.#entry(accountId, 'grant');
      await this.#carries.settle(entry);
      // strip-groups: a disabled entry holds no group (its marker means nothing to the server, its groups are its
      // access). The grant is checked, and kept on Roster's side (the link); the enable gives it (executor restore).
      if (this.#config.disable?.strategy === 'strip-groups' && !this.#enabled(entry)) return void groups.groupDn(entitlement);
      await groups.add(this.#member(entry), entitlement);
    });
  }

  revoke(accountId: string, entitlement: string): Promise<void> {
    return this.#run('revoke', async () => {
      const groups = this.#requireGroups('revoke');
      const entry = await this.#reader.byUuid(accountId);
      if (entry === undefined) return;
      await this.#carries.settle(entry);
      await groups.remove(this.#member(entry), entitlement);
    });
  }

  ownAccountId = (): Promise<string | undefined> => ownEntryId(this.#pool, this.#config.bindDN);
  close = (): Promise<void> => this.#pool.close();

  /**
   * Before the first read or write: the server's attribute aliases and EQUALITY rules (once; a server that does not
   * say keeps the built-in tables; one that cannot be reached fails the operation).
   */
  #serverAliases(): Promise<void> {
    this.#aliases ??= readAttributeSchema(this.#pool).then((schema) => {
      if (schema === undefined) return;
      this.#mapping.useServerAliases(schema.aliases);
      this.#rules.useServer(schema.equality);
    }, (error: unknown) => {
      // The server was not reachable: this read fails with it (going on would wait for the server once more), and the next one asks again.
      this.#aliases = undefined;
      throw error;
    });
    return this.#aliases;
  }

  // ------------------------------------------------------------ writes

  /** An add without a prior search is safe only when an entry with this key can sit at no other DN. */
  #addFirst(spec: AccountSpec): boolean {
    const explicitDn = typeof spec.attributes.dn === 'string' && spec.attributes.dn !== '';
    return this.#keyNamesEntry && !explicitDn;
  }

  /**
   * Rename (modify DN) if the DN follows from changed attributes, then modify
   * what differs; a carry an earlier attempt left undone (`previous`: the
   * account as Roster last recorded it) is finished first, and an entry that
   * is no posixAccount yet is made one, one that is has its number settled (users.posix, PosixConversion).
   * `place`: the entry goes where the mapping places it even if no value the DN takes changes (placement drift),
   * an explicit `dn` the link holds (`previous`) included.
   */
  async #update(entry: LdapEntry, attributes: Attributes, previous?: Attributes, place = false): Promise<void> {
    await this.#carries.settle(entry);
    if (previous !== undefined) await this.#carries.finishFrom(entry, this.#placement.previousMembers(entry, previous));
    if (this.#posix !== undefined) await this.#posix.ensure(entry, attributes);
    const wanted = this.#mapping.toLdap(attributes);
    const recordedDn = place && !Object.hasOwn(attributes, 'dn') && typeof previous?.dn === 'string' && previous.dn !== '' ? { dn: previous.dn } : {};
    const { dn: target, keyed } = this.#placement.targetDn(entry, { ...recordedDn, ...attributes }, wanted, place);
    // A DN that differs only in case (or spacing) is a rename too (slapd renames uid=jsmith to uid=JSmith in place).
    const here = sameDn(target, entry.dn) ? target : keyed !== undefined && sameDn(keyed, entry.dn) ? keyed : undefined;
    const stays = here !== undefined && identicalDn(here, entry.dn);
    const uid = uidIn(wanted, this.#mapping);
    const renames = !stays || (uid !== undefined && uid !== this.#member(entry).uid);
    const planned = async (): Promise<Member> => ({ dn: stays ? entry.dn : await this.#mover.destination(entry, target, keyed), uid: uid ?? this.#member(entry).uid });
    await this.#carries.keepingGroups(entry, renames, planned, async () => {
      const current = stays ? entry : await this.#mover.move(entry, target, keyed);
      // Each attribute's current values found under the name asked for or the one the server answers with (`surname` is read back as `sn`).
      const changes = attributeChanges(this.#mapping.heldValues(current.values, wanted.keys()), wanted, (attribute, held, values) => this.#rules.sameValues(attribute, held, values));
      const disabledByMove = this.#config.disable?.strategy === 'move' && !this.#enabled(current);
      if (changes.length > 0) await modifyUpdated(this.#pool, current.dn, changes, disabledByMove, this.#log, { target: this.#targetId });
      return { dn: current.dn, uid: uid ?? this.#member(current).uid };
    });
  }

  /**
   * An enable by move goes back to the DN the mapping gives: an explicit `dn` in `attributes` (the link's), else
   * users.dn. An enable that writes the password again (enable.ts, users.passwordOnEnable: a rehire's) writes it in
   * the same modify as the enable (attribute strategies) or around the move back (enable-move.ts), also when found
   * enabled (a retry). `dropPassword` (disable.password: remove; never a create's, a future hire's): disable-password.ts.
   */
  async #setEnabled(accountId: string, enabled: boolean, attributes?: Attributes, options?: EnableOptions, dropPassword = false): Promise<EnableResult> {
    const disable = this.#config.disable;
    if (disable === undefined) throw new RosterError('target.rejected', `setEnabled on ${this.#targetId}: no disable strategy is configured (connection.disable)`);
    const entry = await this.#entry(accountId, 'setEnabled');
    await this.#carries.settle(entry);
    const fields = { target: this.#targetId, dn: entry.dn };
    const passwords = enabled && newPasswordOnEnable(this.#users.passwordOnEnable, options?.reason) ? enablePasswords(options?.secrets, this.#mapping) : undefined;
    const said = { ...fields, reason: options?.reason, passwordOnEnable: this.#users.passwordOnEnable };
    if (this.#enabled(entry) === enabled) return enabled ? enabledPasswords(this.#pool, entry.dn, passwords, this.#log, said) : disabledRemainder(disable, dropPassword, this.#pool, entry.dn, this.#log, fields).then(() => ({}));
    if (disable.strategy === 'move') {
      // Before the move: stopped in between, the entry still looks enabled and every later plan disables it (disable-password.ts).
      if (dropPassword) await removePassword(this.#pool, entry.dn, this.#log, fields);
      const explicit = typeof attributes?.dn === 'string' && attributes.dn !== '' ? { dn: attributes.dn } : {};
      const target = enabled ? this.#placement.mappedDn(explicit, entry, 'setEnabled') : inOu(entry.dn, disable.ou);
      // Another entry holding the templated DN (a namesake who joined the OU meanwhile): the key goes into the RDN, both ways.
      const keyed = enabled && 'dn' in explicit ? undefined : this.#placement.keyed(target, this.#placement.keyOf(entry));
      const move = (): Promise<string> => this.#carries.move(entry, this.#mover, target, keyed);
      await (!enabled ? move() : enableByMove(entry.dn, passwords, {
        pool: this.#pool, log: this.#log, fields, password: disable.password, move, undo: () => this.#setEnabled(accountId, false).then(() => undefined),
      }));
    } else {
      if (!enabled && disable.strategy === 'strip-groups') await this.#stripGroups(entry);
      await writeMarker(this.#pool, entry.dn, { disable, enabled, passwords, dropPassword }, this.#log, fields);
    }
    return passwordsResult(passwords, this.#log, said);
  }

  async #stripGroups(entry: LdapEntry): Promise<void> {
    const groups = this.#groups;
    if (groups === undefined) return;
    const member = this.#member(entry);
    for (const group of await groups.of(member)) await groups.remove(member, group);
  }

  // ------------------------------------------------------------ reads

  #enabled(entry: LdapEntry): boolean {
    return isEntryEnabled(entry, this.#config.disable);
  }

  #account(entry: LdapEntry, entitlements: readonly string[]): TargetAccount {
    // Where it is, for reconcile to tell placement drift (placement): only when it is enforced.
    const location = this.#users.placement === 'enforce' ? { location: entry.dn } : {};
    return { accountId: entry.uuid, attributes: this.#mapping.fromEntry(entry.values), entitlements: [...entitlements].sort(), enabled: this.#enabled(entry), ...location };
  }

  #member(entry: LdapEntry): Member {
    return this.#placement.member(entry);
  }

  async #entitlementsOf(entry: LdapEntry): Promise<string[]> {
    const groups = this.#groups;
    if (groups === undefined) return [];
    return (await groups.of(this.#member(entry))).map((dn) => groups.entitlement(dn));
  }

  #entitlementsFrom(memberships: ReadonlyMap<string, readonly string[]>, entry: LdapEntry): string[] {
    const groups = this.#groups;
    if (groups === undefined) return [];
    return (memberships.get(groups.keyOf(this.#member(entry))) ?? []).map((dn) => groups.entitlement(dn));
  }

  /** The one account holding the key; two holding it are refused (EntryReader.byKey). */
  #byKey(key: string, operation: string): Promise<LdapEntry | undefined> {
    return this.#reader.byKey(this.#mapping.keyLdap, key, operation, this.#targetId);
  }

  async #entry(accountId: string, operation: string): Promise<LdapEntry> {
    const entry = await this.#reader.byUuid(accountId);
    if (entry === undefined) throw new RosterError('target.not_found', `${operation} on ${this.#targetId}: no account ${accountId}`);
    return entry;
  }

  async #required(accountId: string, operation: string): Promise<TargetAccount> {
    const entry = await this.#entry(accountId, operation);
    return this.#account(entry, await this.#entitlementsOf(entry));
  }

  #requireGroups(operation: string): DirectoryGroups {
    if (this.#groups === undefined) throw new RosterError('target.rejected', `${operation} on ${this.#targetId}: no groups are configured (connection.groups)`);
    return this.#groups;
  }

  async #run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw toDirectoryError(error, this.#targetId, operation);
    }
  }
}
