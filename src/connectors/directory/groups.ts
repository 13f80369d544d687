import { RosterError } from '../../core/errors.js';
import { equalityFilter, objectClassFilter, andFilter } from './escape.js';
import { formatDn, normaliseDn, parentDn, parseDn, leafValue, type Rdn } from './dn.js';
import { isAlreadyMember, isNotMember, resultCodeOf, ResultCode } from './errors.js';
import { entryValues } from './normalise.js';
import { pagedSearch } from './paged-search.js';
import { createGroup } from './group-create.js';
import { searchAll, uniqueMemberGroups } from './unique-member.js';
import type { ClientPool, DirectoryClient } from './pool.js';
import { Attribute, Change } from 'ldapts';

export type GroupClass = 'groupOfNames' | 'groupOfUniqueNames' | 'posixGroup' | 'group';

export interface GroupSettings {
  /** Where groups live; plain entitlement names become `cn=<name>,<base>`. */
  readonly base: string;
  readonly objectClass: GroupClass;
  /** Entitlements that are not DNs are names of groups directly under `base`; read back the same way. */
  readonly names: boolean;
  /** Create a missing group on the first grant. */
  readonly create: boolean;
  /**
   * The member kept in a groupOfNames / groupOfUniqueNames when the last real
   * member goes (the attribute is mandatory). Default: the group's own DN.
   */
  readonly placeholder: string | undefined;
  readonly pageSize: number;
}

/** Who a membership is about: member / uniqueMember hold the DN, memberUid holds the uid. */
export interface Member {
  readonly dn: string;
  readonly uid: string | undefined;
}

const MEMBER_ATTRIBUTE: Readonly<Record<GroupClass, string>> = {
  groupOfNames: 'member',
  groupOfUniqueNames: 'uniqueMember',
  posixGroup: 'memberUid',
  group: 'member',
};

/** `type=value,type=…`: the start of a DN with two RDNs (an entitlement of this shape that does not parse is a malformed DN, not a name). */
const LOOKS_LIKE_DN = /^\s*([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)\s*=[^,]*,[^=]*=/;

/**
 * The optional UID of a uniqueMember value (RFC 4517 Name and Optional UID:
 * `<dn>#'0101'B`). slapd's `(uniqueMember=<dn>)` does not match a value that
 * carries one, and a delete must name the value exactly as stored.
 */
const OPTIONAL_UID = /#'[01]*'B$/;

/**
 * Group memberships in a directory: the entitlement is the group (a DN, or a
 * name under the groups base). Every change is idempotent.
 */
export class DirectoryGroups {
  readonly memberAttribute: string;
  readonly #settings: GroupSettings;
  readonly #pool: ClientPool;
  readonly #base: string;

  constructor(settings: GroupSettings, pool: ClientPool) {
    this.#settings = settings;
    this.#pool = pool;
    this.memberAttribute = MEMBER_ATTRIBUTE[settings.objectClass];
    this.#base = normaliseDn(settings.base);
  }

  /**
   * The group DN an entitlement names. Only groups at or below the base are
   * Roster's: reads never report any other group, so a grant elsewhere would
   * be planned again forever; it is refused. (A revoke elsewhere is `remove`'s
   * no-op: see there.)
   */
  groupDn(entitlement: string): string {
    const dn = this.#resolve(entitlement);
    if (!this.manages(dn)) {
      throw new RosterError('target.rejected',
        `entitlement ${JSON.stringify(entitlement)} is a group outside the groups base ${this.#settings.base}: Roster does not manage it (move the group below the base, or widen groups.base)`,
        { details: { group: dn, base: this.#settings.base } });
    }
    return dn;
  }

  /**
   * The DN an entitlement names, wherever it is; a clear error when it is
   * neither a DN nor a name. With `names`, an entitlement is a DN only when it
   * clearly is one: it parses with at least two RDNs, or is the groups base
   * itself. Anything else is a name, '=' and all (`Ops = Admin`, `a=b`); a text
   * of the shape `type=value,…` that does not parse is a malformed DN, refused.
   */
  #resolve(entitlement: string): string {
    if (this.#settings.names) {
      let rdns: Rdn[] | undefined;
      try {
        rdns = parseDn(entitlement);
      } catch {
        rdns = undefined;
      }
      if (rdns !== undefined && (rdns.length >= 2 || (rdns.length === 1 && this.manages(entitlement)))) return formatDn(rdns);
      if (rdns !== undefined || !LOOKS_LIKE_DN.test(entitlement)) return this.#named(entitlement);
    }
    try {
      return formatDn(parseDn(entitlement));
    } catch {
      throw new RosterError('target.rejected', `entitlement ${JSON.stringify(entitlement)} is neither a group DN nor a group name`);
    }
  }

  /** The DN of the group called `name` directly under the base. */
  #named(name: string): string {
    if (name.trim() === '') throw new RosterError('target.rejected', `entitlement ${JSON.stringify(name)} is neither a group DN nor a group name`);
    return formatDn([[{ type: 'cn', value: name }], ...parseDn(this.#settings.base)]);
  }

  /** Is the group one Roster manages: at or below the groups base, the only place reads look? */
  manages(groupDn: string): boolean {
    let dn: string;
    try {
      dn = normaliseDn(groupDn);
    } catch {
      return false;
    }
    // Normalised values escape ',' in hex form, so a literal comma always separates RDNs.
    return dn === this.#base || dn.endsWith(`,${this.#base}`);
  }

  /** The entitlements of a member's groups (memberOf): only the managed ones, each as `entitlement` reports it. */
  entitlementsOf(groupDns: readonly string[]): string[] {
    return groupDns.filter((dn) => this.manages(dn)).map((dn) => this.entitlement(dn)).sort();
  }

  /** The entitlement a group DN is reported as (its name when it sits directly under the base). */
  entitlement(groupDn: string): string {
    if (!this.#settings.names || normaliseDn(parentDn(groupDn)) !== this.#base) return groupDn;
    const name = leafValue(groupDn);
    if (name === undefined) return groupDn;
    // A name that would be taken for a DN (a cn of "x=a,ou=b" reads as two RDNs) is reported as the DN, which names the same group.
    try {
      return normaliseDn(this.#resolve(name)) === normaliseDn(groupDn) ? name : groupDn;
    } catch {
      return groupDn;
    }
  }

  #value(member: Member): string | undefined {
    return this.memberAttribute === 'memberUid' ? member.uid : member.dn;
  }

  #needsPlaceholder(): boolean {
    return this.#settings.objectClass === 'groupOfNames' || this.#settings.objectClass === 'groupOfUniqueNames';
  }

  async add(member: Member, entitlement: string): Promise<void> {
    const dn = this.groupDn(entitlement);
    const value = this.#value(member);
    if (value === undefined) throw new RosterError('target.rejected', `the account has no uid for memberUid of ${dn}`);
    try {
      if (!await this.#addValue(dn, value)) return;
    } catch (error) {
      if (resultCodeOf(error) !== ResultCode.noSuchObject) throw error;
      if (!this.#settings.create) throw await this.#missing(dn, error);
      await this.#create(dn, value);
      return;
    }
    if (this.#needsPlaceholder()) await this.#removeValue(dn, this.#placeholder(dn));
  }

  /**
   * A grant's "no such entry" (groups.create off) naming the group when it is
   * the group that is missing (the server's words say neither which entry nor
   * that it is no account): a deleted or renamed group, or one never made.
   */
  async #missing(groupDn: string, error: unknown): Promise<unknown> {
    const there = await this.#pool.use((c) => c.search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] })).then(() => true, (e: unknown) => {
      if (resultCodeOf(e) !== ResultCode.noSuchObject) throw e;
      return false;
    });
    if (there) return error;
    return new RosterError('target.not_found',
      `group ${groupDn} does not exist: create it in the directory (groups.create is off), or grant another group`,
      { cause: error, details: { group: groupDn, resultCode: ResultCode.noSuchObject } });
  }

  /**
   * Take the member out of the group. A group outside the base is a no-op
   * success: Roster does not manage it, so it must not touch the membership
   * (Domain Admins), and a link written before memberships were filtered may
   * still list it: refusing would plan the revoke again on every run and count
   * each refusal toward quarantining the target. Succeeding lets the link drop it.
   */
  async remove(member: Member, entitlement: string): Promise<void> {
    const dn = this.#resolve(entitlement);
    if (!this.manages(dn)) return;
    const value = this.#value(member);
    if (value === undefined) return;
    // uniqueMember: every stored spelling of the member's DN, UID or not (a delete must name the value as stored).
    const values = this.#uniqueMember() ? (await this.#storedValues(dn, value)).mine : [value];
    for (const stored of values) await this.#removeMember(dn, stored);
  }

  /**
   * Delete one member value. When it is the last member (the attribute is
   * mandatory), the placeholder goes in and the member goes out in one
   * request: a member another job adds meanwhile stays (a replace of the whole
   * attribute would drop it).
   */
  async #removeMember(groupDn: string, value: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#removeValue(groupDn, value);
        return;
      } catch (error) {
        const code = resultCodeOf(error);
        if (code === ResultCode.noSuchObject) return;
        if (!this.#needsPlaceholder() || (code !== ResultCode.objectClassViolation && code !== ResultCode.constraintViolation)) throw error;
      }
      try {
        await this.#pool.use((c) => c.modify(groupDn, [
          new Change({ operation: 'add', modification: new Attribute({ type: this.memberAttribute, values: [this.#placeholder(groupDn)] }) }),
          new Change({ operation: 'delete', modification: new Attribute({ type: this.memberAttribute, values: [value] }) }),
        ]));
        return;
      } catch (error) {
        const code = resultCodeOf(error);
        // The group, or the member value, went meanwhile: nothing left to remove.
        if (code === ResultCode.noSuchObject || code === ResultCode.noSuchAttribute) return;
        // The placeholder is there already (another job put it in): the plain delete goes through now, unless a
        // grant took the placeholder out again meanwhile; a few rounds, then the directory's answer stands.
        if ((code !== ResultCode.attributeOrValueExists && code !== ResultCode.entryAlreadyExists) || attempt >= 3) throw error;
      }
    }
  }

  /**
   * The group DNs the member is directly in. An account in more groups than
   * the bind DN's size limit (slapd's default 500) is read in pages
   * (searchAll), which olcLimits size.prtotal lets through, as for a list.
   */
  async of(member: Member): Promise<string[]> {
    const value = this.#value(member) ?? '';
    if (this.#uniqueMember()) {
      return uniqueMemberGroups(this.#pool, {
        base: this.#settings.base, groupClass: objectClassFilter([this.#settings.objectClass]), dn: value, pageSize: this.#settings.pageSize,
        keyOf: (stored) => this.memberKey(stored), everyGroup: async () => this.#groups(await this.#pool.lease()),
      });
    }
    const filter = andFilter(objectClassFilter([this.#settings.objectClass]), equalityFilter(this.memberAttribute, value));
    return (await searchAll(this.#pool, this.#settings.base, { filter, attributes: ['1.1'], pageSize: this.#settings.pageSize })).map((e) => e.dn);
  }

  /** Every group's members: normalised member DN (or uid) -> group DNs. */
  async all(): Promise<Map<string, string[]>> {
    const byMember = new Map<string, string[]>();
    for await (const group of this.#groups(await this.#pool.lease())) {
      for (const value of group.values) {
        const key = this.memberKey(value);
        byMember.set(key, [...(byMember.get(key) ?? []), group.dn]);
      }
    }
    return byMember;
  }

  /** Every group under the base with its member values, page by page. */
  async *#groups(client: DirectoryClient): AsyncIterable<{ readonly dn: string; readonly values: readonly string[] }> {
    const attribute = this.memberAttribute;
    const pages = pagedSearch(client, this.#settings.base, {
      scope: 'sub', filter: objectClassFilter([this.#settings.objectClass]), attributes: [attribute], pageSize: this.#settings.pageSize,
    });
    for await (const page of pages) {
      for (const group of page.searchEntries) yield { dn: group.dn, values: entryValues(group).get(attribute.toLowerCase()) ?? [] };
    }
  }

  /**
   * One group's values of the member attribute: all of them, and those that
   * are `value`'s (by memberKey). `exists` is false when the group is gone.
   */
  async #storedValues(groupDn: string, value: string): Promise<{ readonly exists: boolean; readonly all: readonly string[]; readonly mine: readonly string[] }> {
    let entry: Record<string, unknown> | undefined;
    try {
      const { searchEntries } = await this.#pool.use((c) => c.search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: [this.memberAttribute] }));
      entry = searchEntries[0];
    } catch (error) {
      if (resultCodeOf(error) !== ResultCode.noSuchObject) throw error;
    }
    if (entry === undefined) return { exists: false, all: [], mine: [] };
    const all = entryValues(entry).get(this.memberAttribute.toLowerCase()) ?? [];
    const key = this.memberKey(value);
    return { exists: true, all, mine: all.filter((stored) => this.memberKey(stored) === key) };
  }

  /**
   * The key `all()` files a member value under: the normalised DN (for
   * uniqueMember without its optional `#'…'B` UID), or `uid:<uid>`.
   */
  memberKey(value: string): string {
    if (this.memberAttribute === 'memberUid') return `uid:${value}`;
    const dn = this.#uniqueMember() ? value.replace(OPTIONAL_UID, '') : value;
    try {
      return normaliseDn(dn);
    } catch {
      return dn;
    }
  }

  keyOf(member: Member): string {
    return this.memberAttribute === 'memberUid' ? `uid:${member.uid ?? ''}` : this.memberKey(member.dn);
  }

  /**
   * After a rename, point the memberships `groupDns` (read before it) from the
   * member's old value to its new one: the DN for member / uniqueMember, the
   * uid for memberUid. Only this member's values change. The new value goes in
   * before the old one goes out, so a group it is the only member of never
   * loses its mandatory attribute. Either step may already be done (refint
   * rewrites DN values by itself, in the background): both are idempotent.
   * A uniqueMember value keeps its optional UID: `<old dn>#'0101'B` becomes
   * `<new dn>#'0101'B`, and the value removed is the one stored.
   */
  async carry(groupDns: readonly string[], before: Member, after: Member): Promise<void> {
    const from = this.#value(before);
    const to = this.#value(after);
    if (from === undefined || to === undefined || this.memberKey(from) === this.memberKey(to)) return;
    for (const dn of groupDns) {
      try {
        if (this.#uniqueMember()) await this.#carryUnique(dn, from, to);
        else {
          await this.#addValue(dn, to);
          await this.#removeValue(dn, from);
        }
      } catch (error) {
        // The group was deleted meanwhile: nothing left to carry.
        if (resultCodeOf(error) !== ResultCode.noSuchObject) throw error;
      }
    }
  }

  async #carryUnique(groupDn: string, from: string, to: string): Promise<void> {
    const stored = await this.#storedValues(groupDn, from);
    if (!stored.exists) return;
    if (stored.mine.length === 0) {
      // Nothing under the old DN (refint, or an earlier try, moved it): make sure the new DN is there.
      const key = this.memberKey(to);
      if (!stored.all.some((value) => this.memberKey(value) === key)) await this.#addValue(groupDn, to);
      return;
    }
    for (const old of stored.mine) {
      await this.#addValue(groupDn, `${to}${OPTIONAL_UID.exec(old)?.[0] ?? ''}`);
      await this.#removeValue(groupDn, old);
    }
  }

  #uniqueMember(): boolean {
    return this.memberAttribute === 'uniqueMember';
  }

  #placeholder(groupDn: string): string {
    return this.#settings.placeholder ?? groupDn;
  }

  /** Add one member value; false when the group already held it. */
  async #addValue(groupDn: string, value: string): Promise<boolean> {
    try {
      await this.#pool.use((c) => c.modify(groupDn, new Change({ operation: 'add', modification: new Attribute({ type: this.memberAttribute, values: [value] }) })));
      return true;
    } catch (error) {
      if (isAlreadyMember(error)) return false;
      throw error;
    }
  }

  async #removeValue(groupDn: string, value: string): Promise<void> {
    try {
      await this.#pool.use((c) => c.modify(groupDn, new Change({ operation: 'delete', modification: new Attribute({ type: this.memberAttribute, values: [value] }) })));
    } catch (error) {
      if (isNotMember(error)) return;
      throw error;
    }
  }

  /** Create the group with its first member (createGroup); one made meanwhile gets the member added. */
  async #create(groupDn: string, firstMember: string): Promise<void> {
    const made = await createGroup(this.#pool, { groupDn, objectClass: this.#settings.objectClass, memberAttribute: this.memberAttribute, firstMember });
    if (!made) await this.add({ dn: firstMember, uid: firstMember }, groupDn);
  }
}
